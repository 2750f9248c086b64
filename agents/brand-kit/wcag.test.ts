import { describe, expect, it } from 'vitest';
import { hexToOklch, normaliseHex, oklchToHex } from './colour.ts';
import { buildPalette, MOODS } from './palette.ts';
import { contrastRatio, ensureContrast, relativeLuminance, verdict } from './wcag.ts';

describe('WCAG contrast', () => {
  it('gives 21:1 for black on white and 1:1 for a colour on itself', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#1f6feb', '#1f6feb')).toBe(1);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(relativeLuminance('#000000')).toBe(0);
  });

  it('uses the sRGB transfer function with its linear segment', () => {
    // 10/255 = 0.0392 is under 0.04045, so it is divided by 12.92; 11/255 = 0.0431 is over.
    expect(relativeLuminance('#0a0a0a')).toBeCloseTo(10 / 255 / 12.92, 12);
    expect(relativeLuminance('#0b0b0b')).toBeCloseTo(((11 / 255 + 0.055) / 1.055) ** 2.4, 12);
  });

  it('fails #777777 on white for AA (≈ 4.48) and passes #767676 (≈ 4.54)', () => {
    const grey77 = verdict('#777777', '#ffffff');
    expect(grey77.ratio).toBe(4.48);
    expect(grey77).toMatchObject({ aaNormal: false, aaLarge: true, aaaNormal: false, aaaLarge: false });
    const grey76 = verdict('#767676', '#ffffff');
    expect(grey76.ratio).toBe(4.54);
    expect(grey76).toMatchObject({ aaNormal: true, aaLarge: true, aaaNormal: false, aaaLarge: true });
  });

  it('is symmetric', () => {
    const colours = ['#1f6feb', '#ffcc00', '#000000', '#ffffff', '#777777', '#d7263d', '#0a4f3c'];
    for (const a of colours) for (const b of colours) expect(contrastRatio(a, b)).toBe(contrastRatio(b, a));
  });

  it('compares the unrounded ratio: 4.4999 shows as 4.50 and still fails AA', () => {
    const v = verdict('#677b75', '#ffffff');
    expect(v.ratioExact).toBeGreaterThan(4.4995);
    expect(v.ratioExact).toBeLessThan(4.5);
    expect(v.ratio).toBe(4.5);
    expect(v.aaNormal).toBe(false);
    expect(v.aaaLarge).toBe(false);
  });
});

describe('colour values', () => {
  it('accepts #rrggbb and #rgb in any case and nothing else', () => {
    expect(normaliseHex('#1F6FEB')).toBe('#1f6feb');
    expect(normaliseHex(' #0a4 ')).toBe('#00aa44');
    expect(normaliseHex('#FC0')).toBe('#ffcc00');
    for (const bad of ['blue', '#12345', '1f6feb', '#ggg', '', '#1f6feb00', 'rgb(1,2,3)', '##fff']) {
      expect(normaliseHex(bad)).toBeNull();
    }
  });

  it('converts to OKLCH with the published values and back without drift', () => {
    const red = hexToOklch('#ff0000');
    expect(red.l).toBeCloseTo(0.628, 3);
    expect(red.c).toBeCloseTo(0.2577, 3);
    expect(red.h).toBeCloseTo(29.23, 1);
    expect(hexToOklch('#ffffff').l).toBeCloseTo(1, 4);
    for (const hex of ['#1f6feb', '#ffcc00', '#000000', '#ffffff', '#777777', '#00aa44', '#d7263d']) {
      expect(oklchToHex(hexToOklch(hex))).toBe(hex);
    }
  });

  it('brings out-of-gamut colours into sRGB keeping their hue', () => {
    const hex = oklchToHex({ l: 0.7, c: 0.4, h: 150 });
    expect(hex).toMatch(/^#[0-9a-f]{6}$/);
    expect(hexToOklch(hex).h).toBeCloseTo(150, -0.5);
    expect(hexToOklch(hex).l).toBeCloseTo(0.7, 2);
  });
});

describe('ensureContrast', () => {
  it('keeps a colour that already passes', () => {
    expect(ensureContrast('#000000', '#ffffff', 4.5)).toBe('#000000');
  });

  it('moves a yellow to the nearest lightness that passes, keeping its hue', () => {
    const fixed = ensureContrast('#ffcc00', '#ffffff', 4.5);
    expect(contrastRatio(fixed, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    // The smallest move: barely over the threshold, not all the way to black.
    expect(contrastRatio(fixed, '#ffffff')).toBeLessThan(4.8);
    expect(Math.abs(hexToOklch(fixed).h - hexToOklch('#ffcc00').h)).toBeLessThan(6);
  });

  it('lightens on a dark background', () => {
    const fixed = ensureContrast('#1f6feb', '#101010', 7);
    expect(contrastRatio(fixed, '#101010')).toBeGreaterThanOrEqual(7);
    expect(hexToOklch(fixed).l).toBeGreaterThan(hexToOklch('#1f6feb').l);
  });
});

describe('palette', () => {
  it('keeps the main colour and gives every role', () => {
    for (const mood of MOODS) {
      const p = buildPalette(mood, '#1f6feb', null);
      const roles = new Set(p.colours.map((c) => c.role));
      expect([...roles].sort()).toEqual(['accent', 'background', 'neutral', 'primary', 'secondary', 'text']);
      expect(p.colours.find((c) => c.role === 'primary')!.hex).toBe('#1f6feb');
      expect(new Set(p.colours.map((c) => c.name)).size).toBe(p.colours.length);
    }
  });

  it('derives the second colour by the mood, in OKLCH hue', () => {
    const hue = (mood: (typeof MOODS)[number]) =>
      hexToOklch(buildPalette(mood, '#1f6feb', null).colours.find((c) => c.name === 'secondary')!.hex).h;
    const main = hexToOklch('#1f6feb').h;
    const turn = (h: number) => (h - main + 360) % 360;
    expect(turn(hue('bold'))).toBeCloseTo(180, -1);
    expect(turn(hue('playful'))).toBeCloseTo(120, -1);
    expect(turn(hue('calm'))).toBeCloseTo(35, -1);
    expect(turn(hue('elegant'))).toBeCloseTo(150, -1);
  });

  it('uses a given second colour as is', () => {
    const p = buildPalette('calm', '#1f6feb', '#ffcc00');
    expect(p.colours.find((c) => c.name === 'secondary')).toMatchObject({
      hex: '#ffcc00',
      role: 'secondary',
    });
  });

  it('makes text readable at AAA and muted text at AA, even from an extreme main colour', () => {
    for (const main of ['#ffff00', '#000000', '#ffffff', '#777777', '#00ffff', '#ff00ff']) {
      const p = buildPalette('serious', main, null);
      const pair = (fg: string, bg: string) =>
        p.pairs.find((x) => x.foreground === fg && x.background === bg)!;
      expect(pair('text', 'background').aaaNormal).toBe(true);
      expect(pair('neutral-700', 'background').aaNormal).toBe(true);
      expect(pair('neutral-700', 'neutral-100').aaNormal).toBe(true);
    }
  });

  it('gives a grey main colour an accent that is not grey', () => {
    const p = buildPalette('calm', '#777777', null);
    expect(hexToOklch(p.colours.find((c) => c.name === 'accent')!.hex).c).toBeGreaterThan(0.05);
    expect(p.colours.find((c) => c.name === 'secondary')!.hex).not.toBe('#777777');
  });
});
