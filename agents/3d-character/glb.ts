import { srgbToLinear } from './colour.ts';
import type { Material, Part, SceneNode } from './scene.ts';

/*
 * A glTF 2.0 binary writer for what this agent builds: nodes with translations, one primitive per
 * mesh (POSITION, NORMAL, 16-bit indices), one metallic-roughness material per colour. Every
 * accessor has its own buffer view, so none needs a byte stride.
 */

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a; // "JSON"
const CHUNK_BIN = 0x004e4942; // "BIN\0"
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
const FLOAT = 5126;
const UNSIGNED_SHORT = 5123;
const TRIANGLES = 4;

export interface GlbOptions {
  generator: string;
  /** Kept in `asset.extras`: lets anyone see which parameters made the file. */
  extras?: Record<string, unknown>;
}

const pad4 = (n: number) => (n + 3) & ~3;
/** Micrometre precision keeps the JSON short; node offsets need no more. */
const round = (n: number) => Math.round(n * 1e6) / 1e6 || 0;

class BinaryWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  /** Appends `data` 4-byte aligned (the alignment every component type and the GLB need). */
  add(data: ArrayBufferView): { byteOffset: number; byteLength: number } {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const byteOffset = this.length;
    this.chunks.push(bytes);
    this.length += bytes.byteLength;
    const padding = pad4(this.length) - this.length;
    if (padding > 0) {
      this.chunks.push(new Uint8Array(padding));
      this.length += padding;
    }
    return { byteOffset, byteLength: bytes.byteLength };
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/** Min and max per component, read from the float32 values themselves (the validator compares exactly). */
function bounds(positions: Float32Array): { min: number[]; max: number[] } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i++) {
    const v = positions[i]!;
    const c = i % 3;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
  }
  return { min, max };
}

export function encodeGlb(root: SceneNode, options: GlbOptions): Uint8Array {
  const bin = new BinaryWriter();
  const bufferViews: Record<string, unknown>[] = [];
  const accessors: Record<string, unknown>[] = [];
  const meshes: Record<string, unknown>[] = [];
  const materials: Record<string, unknown>[] = [];
  const nodes: Record<string, unknown>[] = [];
  const meshIndex = new Map<Part, number>();
  const materialIndex = new Map<Material, number>();

  const view = (data: ArrayBufferView, target: number) => {
    bufferViews.push({ buffer: 0, ...bin.add(data), target });
    return bufferViews.length - 1;
  };
  const accessor = (fields: Record<string, unknown>) => {
    accessors.push(fields);
    return accessors.length - 1;
  };
  const material = (m: Material) => {
    let index = materialIndex.get(m);
    if (index === undefined) {
      index = materials.length;
      materialIndex.set(m, index);
      materials.push({
        name: m.name,
        pbrMetallicRoughness: {
          baseColorFactor: [...m.colour.map((c) => round(srgbToLinear(c))), 1],
          metallicFactor: 0,
          roughnessFactor: m.roughness,
        },
      });
    }
    return index;
  };
  const mesh = (part: Part) => {
    let index = meshIndex.get(part);
    if (index !== undefined) return index;
    const { positions, normals, indices } = part.geometry;
    const count = positions.length / 3;
    const position = accessor({
      bufferView: view(positions, ARRAY_BUFFER),
      componentType: FLOAT,
      count,
      type: 'VEC3',
      ...bounds(positions),
    });
    const normal = accessor({
      bufferView: view(normals, ARRAY_BUFFER),
      componentType: FLOAT,
      count,
      type: 'VEC3',
    });
    const index16 = accessor({
      bufferView: view(indices, ELEMENT_ARRAY_BUFFER),
      componentType: UNSIGNED_SHORT,
      count: indices.length,
      type: 'SCALAR',
    });
    index = meshes.length;
    meshIndex.set(part, index);
    meshes.push({
      name: part.name,
      primitives: [
        {
          attributes: { POSITION: position, NORMAL: normal },
          indices: index16,
          material: material(part.material),
          mode: TRIANGLES,
        },
      ],
    });
    return index;
  };
  const node = (n: SceneNode): number => {
    const index = nodes.length;
    const out: Record<string, unknown> = { name: n.name };
    nodes.push(out);
    if (n.translation.some((t) => round(t) !== 0)) out.translation = n.translation.map(round);
    if (n.part) out.mesh = mesh(n.part);
    if (n.children.length > 0) out.children = n.children.map(node);
    return index;
  };

  const rootIndex = node(root);
  const binary = bin.concat();
  const gltf = {
    asset: {
      version: '2.0',
      generator: options.generator,
      ...(options.extras ? { extras: options.extras } : {}),
    },
    scene: 0,
    scenes: [{ name: root.name, nodes: [rootIndex] }],
    nodes,
    meshes,
    materials,
    accessors,
    bufferViews,
    buffers: [{ byteLength: binary.byteLength }],
  };
  return glbContainer(new TextEncoder().encode(JSON.stringify(gltf)), binary);
}

/** Header, JSON chunk padded with spaces, BIN chunk padded with zeros (as the GLB spec requires). */
function glbContainer(json: Uint8Array, binary: Uint8Array): Uint8Array {
  const jsonLength = pad4(json.byteLength);
  const binLength = pad4(binary.byteLength);
  const total = 12 + 8 + jsonLength + 8 + binLength;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, GLB_MAGIC, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLength, true);
  dv.setUint32(16, CHUNK_JSON, true);
  out.set(json, 20);
  out.fill(0x20, 20 + json.byteLength, 20 + jsonLength);
  const binStart = 20 + jsonLength;
  dv.setUint32(binStart, binLength, true);
  dv.setUint32(binStart + 4, CHUNK_BIN, true);
  out.set(binary, binStart + 8);
  return out;
}
