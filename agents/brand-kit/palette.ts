import { clamp, hexToOklch, hexToRgb, type Oklch, oklchToHex, type Rgb, rotateHue } from './colour.ts';
import { AA_NORMAL, type ContrastVerdict, ensureContrast, verdict } from './wcag.ts';

export const MOODS = ['calm', 'bold', 'playful', 'serious', 'elegant'] as const;
export type Mood = (typeof MOODS)[number];

export type Role = 'primary' | 'secondary' | 'accent' | 'text' | 'background' | 'neutral';

export interface PaletteColour {
  name: string;
  role: Role;
  hex: string;
  rgb: Rgb;
  /** Rounded for reading; the hex is the colour. */
  oklch: Oklch;
  /** How the colour was obtained, in a sentence. */
  derivation: string;
}

export interface ContrastPair extends ContrastVerdict {
  foreground: string;
  background: string;
  foregroundHex: string;
  backgroundHex: string;
  usage: string;
}

export interface Palette {
  mood: Mood;
  colours: PaletteColour[];
  pairs: ContrastPair[];
}

interface Harmony {
  /** The colour-wheel relation, for the explanation. */
  scheme: string;
  hueShift: number;
  /** Multiplies the main colour's chroma. */
  chroma: number;
  /** Added to the main colour's lightness (secondary) or the lightness itself (accent). */
  lightness: number;
}

interface MoodRule {
  secondary: Harmony;
  accent: Harmony;
  /** The accent's hue when the main colour is a grey and so has no hue to turn. */
  greyAccentHue: number;
}

/**
 * How each mood turns the main colour into the others. Calm stays near on the wheel and softens;
 * bold opposes at full strength; playful spreads a triad and pushes chroma; serious stays close and
 * mutes; elegant splits the complement and desaturates.
 */
const RULES: Record<Mood, MoodRule> = {
  calm: {
    secondary: { scheme: 'analogous (+35°)', hueShift: 35, chroma: 0.75, lightness: 0.05 },
    accent: { scheme: 'complementary (+180°)', hueShift: 180, chroma: 0.7, lightness: 0.7 },
    greyAccentHue: 230,
  },
  bold: {
    secondary: { scheme: 'complementary (+180°)', hueShift: 180, chroma: 1, lightness: 0 },
    accent: { scheme: 'square (+90°)', hueShift: 90, chroma: 1.1, lightness: 0.78 },
    greyAccentHue: 25,
  },
  playful: {
    secondary: { scheme: 'triadic (+120°)', hueShift: 120, chroma: 1.1, lightness: 0.05 },
    accent: { scheme: 'triadic (+240°)', hueShift: 240, chroma: 1.15, lightness: 0.76 },
    greyAccentHue: 330,
  },
  serious: {
    secondary: { scheme: 'analogous (−20°), muted', hueShift: -20, chroma: 0.5, lightness: -0.12 },
    accent: { scheme: 'complementary (+180°), muted', hueShift: 180, chroma: 0.6, lightness: 0.55 },
    greyAccentHue: 250,
  },
  elegant: {
    secondary: { scheme: 'split-complementary (+150°), muted', hueShift: 150, chroma: 0.45, lightness: 0 },
    accent: { scheme: 'split-complementary (+210°), muted', hueShift: 210, chroma: 0.5, lightness: 0.72 },
    greyAccentHue: 85,
  },
};

/** Below this OKLCH chroma a colour reads as grey: turning its hue would change nothing. */
const GREY_CHROMA = 0.03;

const NEUTRALS: { name: string; l: number; usage: string }[] = [
  { name: 'neutral-100', l: 0.95, usage: 'surface' },
  { name: 'neutral-300', l: 0.85, usage: 'border' },
  { name: 'neutral-500', l: 0.62, usage: 'disabled or decorative' },
  { name: 'neutral-700', l: 0.45, usage: 'muted text' },
  { name: 'neutral-900', l: 0.3, usage: 'strong surface' },
];

export function explainMethod(): string {
  return (
    'Colours are derived in OKLCH (perceptual lightness, chroma, hue): the main colour is kept exactly; ' +
    'the second colour, when not given, and the accent turn the hue on the colour wheel by the mood ' +
    "and scale its chroma; text, background and neutrals are tinted with the main colour's hue at low " +
    'chroma. Colours outside sRGB keep their lightness and hue and lose chroma until they fit.'
  );
}

function colour(name: string, role: Role, hex: string, derivation: string): PaletteColour {
  const o = hexToOklch(hex);
  const round = (v: number, digits: number) => Number(v.toFixed(digits));
  return {
    name,
    role,
    hex,
    rgb: hexToRgb(hex),
    oklch: { l: round(o.l, 3), c: round(o.c, 3), h: round(o.h, 1) },
    derivation,
  };
}

function harmonise(main: Oklch, rule: Harmony, lightness: number, greyHue: number | null): string {
  if (greyHue !== null) return oklchToHex({ l: lightness, c: 0.12, h: greyHue });
  return oklchToHex({ l: lightness, c: main.c * rule.chroma, h: rotateHue(main.h, rule.hueShift) });
}

/** `primary` and `secondary` are normalised `#rrggbb`; `secondary` null means derive it. */
export function buildPalette(mood: Mood, primary: string, secondary: string | null): Palette {
  const rule = RULES[mood];
  const main = hexToOklch(primary);
  const grey = main.c < GREY_CHROMA;
  const tint = (l: number, maxChroma: number) =>
    oklchToHex({ l, c: Math.min(main.c * 0.25, maxChroma), h: main.h });

  const secondaryHex =
    secondary ??
    (grey
      ? oklchToHex({ ...main, l: clamp(main.l + (main.l > 0.55 ? -0.25 : 0.25), 0.2, 0.85) })
      : harmonise(main, rule.secondary, clamp(main.l + rule.secondary.lightness, 0.3, 0.82), null));
  const accentHex = harmonise(main, rule.accent, rule.accent.lightness, grey ? rule.greyAccentHue : null);
  const background = tint(0.985, 0.012);
  const text = ensureContrast(tint(0.24, 0.03), background, 7);

  const colours: PaletteColour[] = [
    colour('primary', 'primary', primary, 'The main colour, as given.'),
    colour(
      'secondary',
      'secondary',
      secondaryHex,
      secondary
        ? 'The second colour, as given.'
        : grey
          ? 'The main colour is a grey, so the second colour is a grey of another lightness.'
          : `Derived from the main colour: ${rule.secondary.scheme}, chroma ×${rule.secondary.chroma}.`,
    ),
    colour(
      'accent',
      'accent',
      accentHex,
      grey
        ? `The main colour is a grey, so the accent takes the ${mood} mood's own hue (${rule.greyAccentHue}°).`
        : `Derived from the main colour: ${rule.accent.scheme}, chroma ×${rule.accent.chroma}, lightness ${rule.accent.lightness}.`,
    ),
    colour(
      'text',
      'text',
      text,
      "Near-black tinted with the main colour's hue; at least 7:1 on the background.",
    ),
    colour('background', 'background', background, "Near-white tinted with the main colour's hue."),
  ];
  const surface = tint(NEUTRALS[0]!.l, 0.02);
  for (const n of NEUTRALS) {
    let hex = tint(n.l, 0.02);
    // Muted text must still be readable: AA on both light surfaces (darkening only adds contrast to both).
    if (n.usage === 'muted text')
      hex = ensureContrast(ensureContrast(hex, background, AA_NORMAL), surface, AA_NORMAL);
    colours.push(colour(n.name, 'neutral', hex, `Tinted grey at OKLCH lightness ${n.l}, for ${n.usage}.`));
  }
  return { mood, colours, pairs: contrastPairs(colours) };
}

/**
 * The pairs a designer would actually set: every colour that may carry text on the two light surfaces,
 * and the light background used as text on every strong colour (a button label, a banner).
 */
const PAIRS: { foreground: string; background: string; usage: string }[] = [
  ...['text', 'neutral-700', 'primary', 'secondary', 'accent', 'neutral-500'].flatMap((fg) =>
    ['background', 'neutral-100'].map((bg) => ({
      foreground: fg,
      background: bg,
      usage: `${fg} text on ${bg}`,
    })),
  ),
  ...['primary', 'secondary', 'accent', 'text', 'neutral-700', 'neutral-900'].map((bg) => ({
    foreground: 'background',
    background: bg,
    usage: `light text on ${bg} (a button, a banner)`,
  })),
];

export function contrastPairs(colours: readonly PaletteColour[]): ContrastPair[] {
  const byName = new Map(colours.map((c) => [c.name, c.hex]));
  return PAIRS.map((p) => {
    const foregroundHex = byName.get(p.foreground)!;
    const backgroundHex = byName.get(p.background)!;
    return { ...p, foregroundHex, backgroundHex, ...verdict(foregroundHex, backgroundHex) };
  });
}
