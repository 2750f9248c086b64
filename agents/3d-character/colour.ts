/** An sRGB colour as the buyer writes it (`#rrggbb`), channels 0-255. */
export type Rgb8 = readonly [number, number, number];

const HEX6 = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;
const HEX3 = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i;

/**
 * Parses `#rrggbb` (and the CSS shorthand `#rgb`, which colour pickers and people both produce), or
 * returns null. Surrounding spaces are forgiven: they come from copy and paste, not from intent.
 */
export function parseHexColour(value: string): Rgb8 | null {
  const text = value.trim();
  const long = HEX6.exec(text);
  if (long) return [parseInt(long[1]!, 16), parseInt(long[2]!, 16), parseInt(long[3]!, 16)];
  const short = HEX3.exec(text);
  if (short)
    return [
      parseInt(short[1]!.repeat(2), 16),
      parseInt(short[2]!.repeat(2), 16),
      parseInt(short[3]!.repeat(2), 16),
    ];
  return null;
}

export function toHex(rgb: Rgb8): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The sRGB transfer function undone: glTF's baseColorFactor is linear, colour pickers are not. */
export function srgbToLinear(channel8: number): number {
  const c = channel8 / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function linearToSrgb8(linear: number): number {
  const c = Math.min(1, Math.max(0, linear));
  const s = c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.round(s * 255);
}

export function linearRgb(rgb: Rgb8): [number, number, number] {
  return [srgbToLinear(rgb[0]), srgbToLinear(rgb[1]), srgbToLinear(rgb[2])];
}
