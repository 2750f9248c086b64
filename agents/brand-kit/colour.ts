/**
 * Colour values and conversions: hex parsing, sRGB, and OKLCH (Björn Ottosson's OKLab in polar form).
 * The palette is built in OKLCH because its lightness tracks perceived lightness and its hue stays put
 * when lightness or chroma change, which HSL does not do (an HSL yellow and blue of the same "L" look
 * nothing alike in brightness).
 */

import { linearToSrgb, normaliseHex, srgbToLinear } from '../shared/srgb.ts';

export { normaliseHex, srgbToLinear };

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** L in 0..1, C from 0 (grey) to ~0.37 (the most saturated sRGB colours), H in degrees 0..360. */
export interface Oklch {
  l: number;
  c: number;
  h: number;
}

/** `hex` must already be normalised (lowercase `#rrggbb`). */
export function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}

export function rgbToHex({ r, g, b }: Rgb): string {
  const part = (v: number) =>
    Math.round(Math.min(255, Math.max(0, v)))
      .toString(16)
      .padStart(2, '0');
  return `#${part(r)}${part(g)}${part(b)}`;
}

export function hexToOklch(hex: string): Oklch {
  const { r, g, b } = hexToRgb(hex);
  const lr = srgbToLinear(r / 255);
  const lg = srgbToLinear(g / 255);
  const lb = srgbToLinear(b / 255);
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  const L = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  const A = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  const B = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
  const c = Math.hypot(A, B);
  // A grey has no hue; 0 keeps the value defined and is never used for anything visible at c ≈ 0.
  const h = c < 1e-6 ? 0 : ((Math.atan2(B, A) * 180) / Math.PI + 360) % 360;
  return { l: L, c, h };
}

/** Linear sRGB, not clamped: values outside 0..1 mean the colour is outside the sRGB gamut. */
function oklchToLinear({ l: L, c, h }: Oklch): [number, number, number] {
  const rad = (h * Math.PI) / 180;
  const A = c * Math.cos(rad);
  const B = c * Math.sin(rad);
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.291485548 * B) ** 3;
  return [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
}

const inGamut = (rgb: [number, number, number]) => rgb.every((v) => v >= -1e-4 && v <= 1 + 1e-4);

/**
 * The nearest sRGB colour as hex. Out-of-gamut colours lose chroma (hue and lightness kept), found by
 * bisection: the CSS Color 4 idea without its ΔE refinement, which is plenty for 8-bit output.
 */
export function oklchToHex(colour: Oklch): string {
  const target = { l: clamp(colour.l, 0, 1), c: Math.max(0, colour.c), h: ((colour.h % 360) + 360) % 360 };
  let rgb = oklchToLinear(target);
  if (!inGamut(rgb)) {
    let low = 0;
    let high = target.c;
    for (let i = 0; i < 24; i++) {
      const mid = (low + high) / 2;
      if (inGamut(oklchToLinear({ ...target, c: mid }))) low = mid;
      else high = mid;
    }
    rgb = oklchToLinear({ ...target, c: low });
  }
  const [r, g, b] = rgb.map((v) => linearToSrgb(clamp(v, 0, 1)) * 255) as [number, number, number];
  return rgbToHex({ r, g, b });
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Rotates a hue by `degrees`, staying in 0..360. */
export function rotateHue(hue: number, degrees: number): number {
  return (((hue + degrees) % 360) + 360) % 360;
}
