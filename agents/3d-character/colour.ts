import { linearToSrgb, normaliseHex, srgbToLinear as toLinear } from '../shared/srgb.ts';

/** An sRGB colour as the buyer writes it (`#rrggbb`), channels 0-255. */
export type Rgb8 = readonly [number, number, number];

/**
 * Parses `#rrggbb` (and the CSS shorthand `#rgb`, which colour pickers and people both produce), or
 * returns null.
 */
export function parseHexColour(value: string): Rgb8 | null {
  const hex = normaliseHex(value);
  if (hex === null) return null;
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function toHex(rgb: Rgb8): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The sRGB transfer function undone: glTF's baseColorFactor is linear, colour pickers are not. */
export function srgbToLinear(channel8: number): number {
  return toLinear(channel8 / 255);
}

export function linearToSrgb8(linear: number): number {
  return Math.round(linearToSrgb(Math.min(1, Math.max(0, linear))) * 255);
}

export function linearRgb(rgb: Rgb8): [number, number, number] {
  return [srgbToLinear(rgb[0]), srgbToLinear(rgb[1]), srgbToLinear(rgb[2])];
}
