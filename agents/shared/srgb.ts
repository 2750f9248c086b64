/**
 * What two built-in agents share about colour as buyers write it: hex parsing and the sRGB transfer
 * function (IEC 61966-2-1, with the 0.04045 threshold WCAG 2.x also uses).
 */

/** `#rrggbb` or the CSS shorthand `#rgb`, any case; surrounding spaces come from copy and paste. */
const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** The colour as lowercase `#rrggbb`, or null when it is not a hex colour. */
export function normaliseHex(value: string): string | null {
  const match = HEX.exec(value.trim());
  if (!match) return null;
  const digits = match[1]!.toLowerCase();
  const full =
    digits.length === 3
      ? digits
          .split('')
          .map((d) => d + d)
          .join('')
      : digits;
  return `#${full}`;
}

/** sRGB-encoded 0..1 → linear light 0..1. */
export function srgbToLinear(channel: number): number {
  return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
}

/** Linear light 0..1 → sRGB-encoded 0..1. */
export function linearToSrgb(channel: number): number {
  return channel <= 0.0031308 ? channel * 12.92 : 1.055 * channel ** (1 / 2.4) - 0.055;
}
