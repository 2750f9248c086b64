import { crc32, deflateSync } from 'node:zlib';
import type { RgbImage } from './render.ts';

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE_RGB = 2;
const FILTER_NONE = 0;
const FILTER_SUB = 1;
const FILTER_UP = 2;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.byteLength);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  dv.setUint32(8 + data.byteLength, crc32(out.subarray(4, 8 + data.byteLength)));
  return out;
}

/**
 * Picks, per row, the filter whose output has the smallest sum of absolute values (the PNG spec's
 * suggested heuristic): flat-shaded images compress several times better than unfiltered.
 */
function filterRows(image: RgbImage): Uint8Array {
  const stride = image.width * 3;
  const out = new Uint8Array((stride + 1) * image.height);
  const candidate = [new Uint8Array(stride), new Uint8Array(stride), new Uint8Array(stride)];
  for (let y = 0; y < image.height; y++) {
    const row = image.rgb.subarray(y * stride, (y + 1) * stride);
    const above = y > 0 ? image.rgb.subarray((y - 1) * stride, y * stride) : null;
    let best = FILTER_NONE;
    let bestScore = Infinity;
    for (const filter of [FILTER_NONE, FILTER_SUB, FILTER_UP]) {
      const line = candidate[filter]!;
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const predictor =
          filter === FILTER_SUB ? (i >= 3 ? row[i - 3]! : 0) : filter === FILTER_UP ? (above?.[i] ?? 0) : 0;
        const v = (row[i]! - predictor) & 0xff;
        line[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        best = filter;
      }
    }
    out[y * (stride + 1)] = best;
    out.set(candidate[best]!, y * (stride + 1) + 1);
  }
  return out;
}

/** An 8-bit RGB PNG: signature, IHDR, one IDAT, IEND. */
export function encodePng(image: RgbImage): Uint8Array {
  if (image.rgb.byteLength !== image.width * image.height * 3)
    throw new Error('The image has the wrong size.');
  const header = new Uint8Array(13);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, image.width);
  dv.setUint32(4, image.height);
  header[8] = 8;
  header[9] = COLOUR_TYPE_RGB;
  // Compression, filter method and interlace are all 0: the only standard values.
  const parts = [
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filterRows(image), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
