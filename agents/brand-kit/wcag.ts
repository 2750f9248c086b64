import { clamp, hexToOklch, hexToRgb, oklchToHex, srgbToLinear } from './colour.ts';

/**
 * WCAG 2.x contrast (success criteria 1.4.3 and 1.4.6). Ratios are compared unrounded: a pair at
 * 4.499:1 fails AA even though it displays as 4.50:1, as the WCAG notes ask.
 */

export const AA_NORMAL = 4.5;
export const AA_LARGE = 3;
export const AAA_NORMAL = 7;
export const AAA_LARGE = 4.5;

export interface ContrastVerdict {
  /** Rounded to 2 decimals, for people. */
  ratio: number;
  /** The exact value the pass flags were decided on. */
  ratioExact: number;
  aaNormal: boolean;
  aaLarge: boolean;
  aaaNormal: boolean;
  aaaLarge: boolean;
}

/** Relative luminance of a `#rrggbb` colour, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  const { r, g, b } = hexToRgb(hex);
  return 0.2126 * srgbToLinear(r / 255) + 0.7152 * srgbToLinear(g / 255) + 0.0722 * srgbToLinear(b / 255);
}

/** (L1 + 0.05) / (L2 + 0.05) with L1 the lighter: the same whichever colour is the text. */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export function verdict(foreground: string, background: string): ContrastVerdict {
  const exact = contrastRatio(foreground, background);
  return {
    ratio: Math.round(exact * 100) / 100,
    ratioExact: exact,
    aaNormal: exact >= AA_NORMAL,
    aaLarge: exact >= AA_LARGE,
    aaaNormal: exact >= AAA_NORMAL,
    aaaLarge: exact >= AAA_LARGE,
  };
}

/**
 * The colour closest in lightness to `foreground` (same OKLCH hue, chroma given up only where sRGB
 * forces it) that reaches `minimum` against `background`. It tries darkening and lightening and keeps
 * the smaller change. One direction always succeeds for minimum ≤ 4.58: against any colour, black or
 * white reaches at least √21 ≈ 4.58.
 */
export function ensureContrast(foreground: string, background: string, minimum: number): string {
  if (contrastRatio(foreground, background) >= minimum) return foreground;
  const start = hexToOklch(foreground);
  const candidates: { hex: string; change: number }[] = [];
  for (const direction of [-1, 1]) {
    // 0.005 steps in L: fine enough that the result sits within one 8-bit step of the threshold.
    for (let step = 1; step <= 200; step++) {
      const l = clamp(start.l + direction * step * 0.005, 0, 1);
      const hex = oklchToHex({ ...start, l });
      if (contrastRatio(hex, background) >= minimum) {
        candidates.push({ hex, change: Math.abs(l - start.l) });
        break;
      }
      if (l === 0 || l === 1) break;
    }
  }
  candidates.sort((x, y) => x.change - y.change);
  const best = candidates[0];
  if (best) return best.hex;
  // Only reachable for minimums above 4.58: the extreme with the most contrast is the best there is.
  return contrastRatio('#000000', background) >= contrastRatio('#ffffff', background) ? '#000000' : '#ffffff';
}
