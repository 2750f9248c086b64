import { inflateSync } from 'node:zlib';
import validator from 'gltf-validator';

/*
 * Readers the tests use to check the agent's files independently of the code that wrote them: a GLB
 * parser with world bounds, and a PNG decoder with its own CRC-32.
 */

export interface Gltf {
  asset: { version: string; generator: string; extras?: { parameters?: Record<string, unknown> } };
  scene: number;
  scenes: { nodes: number[] }[];
  nodes: {
    name: string;
    translation?: number[];
    rotation?: number[];
    scale?: number[];
    matrix?: number[];
    mesh?: number;
    children?: number[];
  }[];
  meshes: {
    name: string;
    primitives: { attributes: Record<string, number>; indices: number; material: number }[];
  }[];
  materials: { name: string; pbrMetallicRoughness: { baseColorFactor: number[] } }[];
  accessors: {
    bufferView: number;
    componentType: number;
    count: number;
    type: string;
    min?: number[];
    max?: number[];
  }[];
  bufferViews: {
    buffer: number;
    byteOffset: number;
    byteLength: number;
    byteStride?: number;
    target?: number;
  }[];
  buffers: { byteLength: number }[];
}

export interface ParsedGlb {
  json: Gltf;
  bin: Uint8Array;
  jsonChunk: Uint8Array;
  binChunk: Uint8Array;
  declaredLength: number;
}

export function parseGlb(bytes: Uint8Array): ParsedGlb {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0x46546c67) throw new Error('not a GLB');
  if (dv.getUint32(4, true) !== 2) throw new Error('not GLB version 2');
  const jsonLength = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== 0x4e4f534a) throw new Error('first chunk is not JSON');
  const jsonChunk = bytes.subarray(20, 20 + jsonLength);
  const binHeader = 20 + jsonLength;
  const binLength = dv.getUint32(binHeader, true);
  if (dv.getUint32(binHeader + 4, true) !== 0x004e4942) throw new Error('second chunk is not BIN');
  const binChunk = bytes.subarray(binHeader + 8, binHeader + 8 + binLength);
  return {
    json: JSON.parse(new TextDecoder().decode(jsonChunk)) as Gltf,
    bin: binChunk,
    jsonChunk,
    binChunk,
    declaredLength: dv.getUint32(8, true),
  };
}

export function readFloats(glb: ParsedGlb, accessorIndex: number): Float32Array {
  const a = glb.json.accessors[accessorIndex]!;
  const view = glb.json.bufferViews[a.bufferView]!;
  const size = a.type === 'VEC3' ? 3 : 1;
  const copy = glb.bin.slice(view.byteOffset, view.byteOffset + a.count * size * 4);
  return new Float32Array(copy.buffer);
}

export function readIndices(glb: ParsedGlb, accessorIndex: number): Uint16Array {
  const a = glb.json.accessors[accessorIndex]!;
  const view = glb.json.bufferViews[a.bufferView]!;
  return new Uint16Array(glb.bin.slice(view.byteOffset, view.byteOffset + a.count * 2).buffer);
}

export interface Box {
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * The scene's bounds in world space, from each mesh's POSITION min/max moved by its node's
 * translation (the agent writes no rotations or scales; a node with one fails here). Nodes whose
 * name `skip` accepts are left out with their whole subtree.
 */
export function worldBounds(glb: ParsedGlb, skip: (name: string) => boolean = () => false): Box {
  const box: Box = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
  const visit = (index: number, parent: number[]) => {
    const node = glb.json.nodes[index]!;
    if (node.rotation || node.scale || node.matrix)
      throw new Error(`node ${node.name} is not a plain translation`);
    if (skip(node.name)) return;
    const t = node.translation ?? [0, 0, 0];
    const origin = [parent[0]! + t[0]!, parent[1]! + t[1]!, parent[2]! + t[2]!];
    if (node.mesh !== undefined) {
      for (const primitive of glb.json.meshes[node.mesh]!.primitives) {
        const a = glb.json.accessors[primitive.attributes.POSITION!]!;
        for (let c = 0; c < 3; c++) {
          box.min[c] = Math.min(box.min[c]!, origin[c]! + a.min![c]!);
          box.max[c] = Math.max(box.max[c]!, origin[c]! + a.max![c]!);
        }
      }
    }
    for (const child of node.children ?? []) visit(child, origin);
  };
  for (const root of glb.json.scenes[glb.json.scene]!.nodes) visit(root, [0, 0, 0]);
  return box;
}

export function nodeNames(glb: ParsedGlb): string[] {
  return glb.json.nodes.map((n) => n.name);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32Table(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  chunkTypes: string[];
  rgb: Uint8Array;
}

/** Decodes an 8-bit RGB, non-interlaced PNG, checking every chunk's CRC. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error('bad PNG signature');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkTypes: string[] = [];
  const idat: Uint8Array[] = [];
  let header: Uint8Array | null = null;
  for (let at = 8; at < bytes.byteLength; ) {
    const length = dv.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const crc = dv.getUint32(at + 8 + length);
    if (crc32Table(bytes.subarray(at + 4, at + 8 + length)) !== crc) throw new Error(`bad CRC in ${type}`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    chunkTypes.push(type);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  if (!header) throw new Error('no IHDR');
  const hv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const width = hv.getUint32(0);
  const height = hv.getUint32(4);
  const bitDepth = header[8]!;
  const colourType = header[9]!;
  if (bitDepth !== 8 || colourType !== 2 || header[12] !== 0)
    throw new Error('only 8-bit RGB, not interlaced');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const rgb = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 3 ? rgb[y * stride + i - 3]! : 0;
      const b = y > 0 ? rgb[(y - 1) * stride + i]! : 0;
      const c = i >= 3 && y > 0 ? rgb[(y - 1) * stride + i - 3]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`unknown filter ${filter}`);
      rgb[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return { width, height, bitDepth, colourType, chunkTypes, rgb };
}

const toLinear = (c: number) => {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};

/**
 * Pixels that show `hex` under some light: in linear light a lit face is the base colour times one
 * factor, so every channel's ratio to the base colour is the same (within 8-bit rounding).
 */
export function countShadesOf(image: DecodedPng, hex: string): number {
  const base = [1, 3, 5].map((i) => toLinear(parseInt(hex.slice(i, i + 2), 16)));
  const strongest = base.indexOf(Math.max(...base));
  let count = 0;
  for (let i = 0; i < image.rgb.length; i += 3) {
    const pixel = [0, 1, 2].map((c) => image.rgb[i + c]!);
    const k = toLinear(pixel[strongest]!) / base[strongest]!;
    if (k < 0.2 || k > 1.02) continue;
    const fits = [0, 1, 2].every((c) => Math.abs(pixel[c]! - Math.round(srgb8(base[c]! * k))) <= 2);
    if (fits) count++;
  }
  return count;
}

function srgb8(linear: number): number {
  const c = Math.min(1, Math.max(0, linear));
  return (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055) * 255;
}

/** The Khronos validator's issues for a GLB (no timestamp, every message). */
export async function validate(glb: Uint8Array) {
  const report = await validator.validateBytes(glb, { writeTimestamp: false, maxIssues: 0 });
  return report.issues;
}
