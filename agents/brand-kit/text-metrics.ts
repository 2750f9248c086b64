/**
 * An estimate of how wide a line of text renders, to size the logo's viewBox. SVG cannot measure text
 * and the logo names no font file (a generic stack instead), so the real font is unknown: Helvetica's
 * advance widths stand in, with margins sized for the widest common fallback, DejaVu Sans (what Linux
 * renderers pick for "sans-serif": about 11% wider than Helvetica, 25% in bold). `textLength` would
 * force the width instead, but librsvg and others ignore it, so the viewBox must hold the text anyway.
 */

/** Helvetica advance widths in 1/1000 em for the printable ASCII characters, from U+0020 to U+007E. */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
  500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
  556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** East Asian wide and fullwidth characters and emoji take a full em. */
const WIDE =
  /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;
const COMBINING = /\p{M}/u;

export interface TextStyle {
  fontSize: number;
  /** 400 regular .. 800 extra bold: heavier faces are wider. */
  fontWeight: number;
  /** Extra space after each character, in user units. */
  letterSpacing: number;
}

export function estimateTextWidth(text: string, style: TextStyle): number {
  let em = 0;
  let count = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (COMBINING.test(ch)) continue;
    count++;
    if (code >= 0x20 && code <= 0x7e) em += ASCII_WIDTHS[code - 0x20]! / 1000;
    else if (WIDE.test(ch)) em += 1;
    else em += 0.6;
  }
  const weightFactor = 1 + Math.max(0, style.fontWeight - 400) * 0.0003;
  return em * style.fontSize * weightFactor * 1.12 + count * style.letterSpacing;
}
