import { linearRgb, linearToSrgb8, type Rgb8 } from './colour.ts';
import { type SceneNode, walk } from './scene.ts';
import type { Vec3 } from './shapes.ts';

/** An 8-bit RGB image, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export const BACKGROUND: Rgb8 = [232, 236, 242];
export const PREVIEW_SIZE = 512;
/** Each preview pixel averages 2×2 samples: smooth edges, flat faces keep their exact colour. */
const SUPERSAMPLE = 2;
/** A three-quarter view from slightly above, the usual way a character is shown in a store. */
const YAW = (38 * Math.PI) / 180;
const PITCH = (12 * Math.PI) / 180;
const AMBIENT = 0.32;

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const normalise = (v: Vec3): Vec3 => {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
};

interface Camera {
  toCamera: Vec3;
  right: Vec3;
  up: Vec3;
  light: Vec3;
}

function camera(): Camera {
  const toCamera: Vec3 = [Math.sin(YAW) * Math.cos(PITCH), Math.sin(PITCH), Math.cos(YAW) * Math.cos(PITCH)];
  const right = normalise([toCamera[2], 0, -toCamera[0]]);
  const up: Vec3 = [
    toCamera[1] * right[2] - toCamera[2] * right[1],
    toCamera[2] * right[0] - toCamera[0] * right[2],
    toCamera[0] * right[1] - toCamera[1] * right[0],
  ];
  // A key light from above, in front, a little to the left of the viewer.
  const light = normalise([
    0.6 * toCamera[0] - 0.45 * right[0],
    0.6 * toCamera[1] - 0.45 * right[1] + 0.75,
    0.6 * toCamera[2] - 0.45 * right[2],
  ]);
  return { toCamera, right, up, light };
}

/** Triangles in view space: (u, v) across the image, w towards the viewer; one colour each. */
function project(root: SceneNode, cam: Camera): { points: Float64Array; colours: Uint8Array } {
  const points: number[] = [];
  const colours: number[] = [];
  walk(root, (node, origin) => {
    if (!node.part) return;
    const { positions, normals, indices } = node.part.geometry;
    const base = linearRgb(node.part.material.colour);
    for (let t = 0; t < indices.length; t += 3) {
      const first = indices[t]! * 3;
      const n: Vec3 = [normals[first]!, normals[first + 1]!, normals[first + 2]!];
      const shade = AMBIENT + (1 - AMBIENT) * Math.max(0, dot(n, cam.light));
      colours.push(...base.map((c) => linearToSrgb8(c * shade)));
      for (let k = 0; k < 3; k++) {
        const i = indices[t + k]! * 3;
        const p: Vec3 = [
          origin[0] + positions[i]!,
          origin[1] + positions[i + 1]!,
          origin[2] + positions[i + 2]!,
        ];
        points.push(dot(p, cam.right), dot(p, cam.up), dot(p, cam.toCamera));
      }
    }
  });
  return { points: new Float64Array(points), colours: new Uint8Array(colours) };
}

/**
 * Renders the character in a fixed three-quarter orthographic view, framed to fit, with flat Lambert
 * shading from the face normals and a z-buffer, on a plain background with a soft ground shadow.
 */
export function renderPreview(root: SceneNode, size = PREVIEW_SIZE): RgbImage {
  const cam = camera();
  const { points, colours } = project(root, cam);
  if (points.length === 0) throw new Error('Nothing to render.');
  const n = size * SUPERSAMPLE;
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < points.length; i += 3) {
    minU = Math.min(minU, points[i]!);
    maxU = Math.max(maxU, points[i]!);
    minV = Math.min(minV, points[i + 1]!);
    maxV = Math.max(maxV, points[i + 1]!);
  }
  const scale = (n * 0.84) / Math.max(maxU - minU, maxV - minV);
  const toX = (u: number) => n / 2 + (u - (minU + maxU) / 2) * scale;
  const toY = (v: number) => n / 2 - (v - (minV + maxV) / 2) * scale;

  const colour = new Uint8Array(n * n * 3);
  for (let i = 0; i < n * n; i++) colour.set(BACKGROUND, i * 3);
  groundShadow(colour, n, toX(0), toY(minV) - 0.004 * n, ((maxU - minU) / 2) * scale * 0.8);

  const depth = new Float64Array(n * n).fill(-Infinity);
  for (let t = 0; t < points.length / 9; t++) {
    const o = t * 9;
    const ax = toX(points[o]!);
    const ay = toY(points[o + 1]!);
    const bx = toX(points[o + 3]!);
    const by = toY(points[o + 4]!);
    const cx = toX(points[o + 6]!);
    const cy = toY(points[o + 7]!);
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (Math.abs(area) < 1e-9) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const x1 = Math.min(n - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const y1 = Math.min(n - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        // Barycentric weights; dividing by the signed area makes both windings inside-positive.
        const wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        const wc = 1 - wa - wb;
        if (wa < 0 || wb < 0 || wc < 0) continue;
        const z = wa * points[o + 2]! + wb * points[o + 5]! + wc * points[o + 8]!;
        const at = y * n + x;
        if (z <= depth[at]!) continue;
        depth[at] = z;
        colour[at * 3] = colours[t * 3]!;
        colour[at * 3 + 1] = colours[t * 3 + 1]!;
        colour[at * 3 + 2] = colours[t * 3 + 2]!;
      }
    }
  }
  return { width: size, height: size, rgb: downsample(colour, n, SUPERSAMPLE) };
}

/** A flat ellipse a little darker than the background, under the feet: the figure stands on something. */
function groundShadow(colour: Uint8Array, n: number, cx: number, cy: number, radius: number) {
  const ry = radius * Math.sin(PITCH) * 1.6;
  for (let y = Math.max(0, Math.floor(cy - ry)); y <= Math.min(n - 1, Math.ceil(cy + ry)); y++) {
    for (let x = Math.max(0, Math.floor(cx - radius)); x <= Math.min(n - 1, Math.ceil(cx + radius)); x++) {
      const dx = (x + 0.5 - cx) / radius;
      const dy = (y + 0.5 - cy) / ry;
      if (dx * dx + dy * dy > 1) continue;
      const at = (y * n + x) * 3;
      for (let c = 0; c < 3; c++) colour[at + c] = Math.round(BACKGROUND[c]! * 0.86);
    }
  }
}

function downsample(colour: Uint8Array, n: number, factor: number): Uint8Array {
  const size = n / factor;
  const out = new Uint8Array(size * size * 3);
  const samples = factor * factor;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let sy = 0; sy < factor; sy++) {
          for (let sx = 0; sx < factor; sx++)
            sum += colour[((y * factor + sy) * n + x * factor + sx) * 3 + c]!;
        }
        out[(y * size + x) * 3 + c] = Math.round(sum / samples);
      }
    }
  }
  return out;
}
