import type { Locator } from 'playwright-core';

// Runs in the page: DOM types here, which the harness (imported by the bench) must not need.
/**
 * How many distinct colours a canvas shows (a WebGL one needs `preserveDrawingBuffer`): a blank or
 * single-colour canvas has one or two, a shaded model dozens.
 */
export function distinctColours(canvas: Locator): Promise<number> {
  return canvas.evaluate((node) => {
    const source = node as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(source, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
}
