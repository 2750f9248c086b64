import type { Mood, Palette } from './palette.ts';
import { AA_NORMAL, type ContrastVerdict, contrastRatio, ensureContrast, verdict } from './wcag.ts';

/** Which colours the logo paints with, every text colour checked against what is behind it. */
export interface LogoColours {
  background: string;
  /** The mark's body; for an outlined mark it is the background and `markStroke` draws it. */
  markFill: string;
  markStroke: string | null;
  initials: string;
  wordmark: string;
  tagline: string;
  /** Ornaments (a ring, a dot, a bar): graphics, never behind text. */
  detail: string;
}

export type LogoElement = 'wordmark' | 'initials' | 'tagline';

export interface LogoPair extends ContrastVerdict {
  element: LogoElement;
  foregroundHex: string;
  backgroundHex: string;
}

/** A text colour moved in lightness because the palette's own colour did not reach AA there. */
export interface LogoAdjustment {
  element: LogoElement;
  intended: string;
  intendedHex: string;
  usedHex: string;
  ratioBefore: number;
  ratioAfter: number;
}

export interface LogoColourPlan {
  colours: LogoColours;
  pairs: LogoPair[];
  adjustments: LogoAdjustment[];
}

const OUTLINED: ReadonlySet<Mood> = new Set(['elegant']);

export function planLogoColours(palette: Palette, withTagline: boolean): LogoColourPlan {
  const hex = (name: string) => palette.colours.find((c) => c.name === name)!.hex;
  const background = hex('background');
  const outlined = OUTLINED.has(palette.mood);
  const markFill = outlined ? background : hex('primary');
  const adjustments: LogoAdjustment[] = [];

  // AA normal (4.5) for all logo text, though a wordmark is usually "large": a logo is also shown small.
  const readable = (element: LogoElement, intended: string, intendedHex: string, behind: string) => {
    const used = ensureContrast(intendedHex, behind, AA_NORMAL);
    if (used !== intendedHex) {
      adjustments.push({
        element,
        intended,
        intendedHex,
        usedHex: used,
        ratioBefore: verdict(intendedHex, behind).ratio,
        ratioAfter: verdict(used, behind).ratio,
      });
    }
    return used;
  };

  const wordmarkSource = palette.mood === 'serious' ? 'text' : 'primary';
  const wordmark = readable('wordmark', wordmarkSource, hex(wordmarkSource), background);
  // On a filled mark, the light or the dark palette colour, whichever stands out more from the fill.
  const initialsSource = outlined
    ? wordmarkSource
    : contrastRatio(hex('background'), markFill) >= contrastRatio(hex('text'), markFill)
      ? 'background'
      : 'text';
  const initials = outlined ? wordmark : readable('initials', initialsSource, hex(initialsSource), markFill);
  const tagline = readable('tagline', 'neutral-700', hex('neutral-700'), background);

  const colours: LogoColours = {
    background,
    markFill,
    markStroke: outlined ? hex('primary') : null,
    initials,
    wordmark,
    tagline,
    detail: palette.mood === 'playful' || palette.mood === 'elegant' ? hex('accent') : hex('secondary'),
  };
  const pairs: LogoPair[] = [
    {
      element: 'wordmark',
      foregroundHex: wordmark,
      backgroundHex: background,
      ...verdict(wordmark, background),
    },
    { element: 'initials', foregroundHex: initials, backgroundHex: markFill, ...verdict(initials, markFill) },
  ];
  if (withTagline) {
    pairs.push({
      element: 'tagline',
      foregroundHex: tagline,
      backgroundHex: background,
      ...verdict(tagline, background),
    });
  }
  return {
    colours,
    pairs,
    adjustments: withTagline ? adjustments : adjustments.filter((a) => a.element !== 'tagline'),
  };
}
