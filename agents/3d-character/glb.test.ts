import { describe, expect, it } from 'vitest';
import { buildCharacter } from './character.ts';
import { encodeGlb } from './glb.ts';
import { type Choice, DEFAULTS, HAIR_STYLES, toParams } from './params.ts';
import { encodePng } from './png.ts';
import { renderPreview } from './render.ts';
import {
  countShadesOf,
  crc32Table,
  decodePng,
  nodeNames,
  parseGlb,
  readFloats,
  readIndices,
  validate,
  worldBounds,
} from './test-support.ts';

function glbFor(over: Partial<Choice>): Uint8Array {
  return encodeGlb(buildCharacter(toParams({ ...DEFAULTS, ...over })), { generator: 'Jeton 3d-character' });
}

describe('3d-character: the .glb', () => {
  const accessorySets: Partial<Choice>[] = [
    {},
    { hat: true },
    { glasses: true },
    { backpack: true },
    { hat: true, glasses: true, backpack: true },
  ];

  it('passes the Khronos validator with no errors and no warnings, for every hair style and accessory', async () => {
    for (const hair of HAIR_STYLES) {
      for (const extra of accessorySets) {
        const issues = await validate(glbFor({ hair, ...extra }));
        const label = JSON.stringify({ hair, ...extra });
        expect(issues.numErrors, `${label}: ${JSON.stringify(issues.messages)}`).toBe(0);
        expect(issues.numWarnings, `${label}: ${JSON.stringify(issues.messages)}`).toBe(0);
      }
    }
  });

  it('passes the validator at the extremes of height, build and head size', async () => {
    for (const over of [
      { height: 1.2, build: 'slim', headSize: 0.8 },
      { height: 2.2, build: 'sturdy', headSize: 1.3, hair: 'long', hat: true, glasses: true, backpack: true },
      { height: 1.2, build: 'sturdy', headSize: 1.3, hair: 'mohawk', hat: true },
    ] as Partial<Choice>[]) {
      const issues = await validate(glbFor(over));
      expect(issues.numErrors, JSON.stringify(issues.messages)).toBe(0);
      expect(issues.numWarnings, JSON.stringify(issues.messages)).toBe(0);
    }
  });

  it('is as tall as the height parameter: feet on the ground, the top of the head at `height`', () => {
    for (const height of [1.2, 1.5, 1.75, 2.2]) {
      for (const headSize of [0.8, 1, 1.3]) {
        const bald = parseGlb(glbFor({ height, headSize, hair: 'none' }));
        const box = worldBounds(bald);
        expect(box.min[1]).toBeCloseTo(0, 4);
        expect(box.max[1]).toBeCloseTo(height, 4);
      }
      // Hair and a hat sit on top of the head; the body underneath keeps the same height.
      const dressed = parseGlb(glbFor({ height, hair: 'mohawk', hat: true }));
      const body = worldBounds(dressed, (name) => name === 'Hair' || name === 'Hat');
      expect(body.max[1] - body.min[1]).toBeCloseTo(height, 4);
      const all = worldBounds(dressed);
      expect(all.max[1]).toBeGreaterThan(height);
      expect(all.max[1]).toBeLessThan(height * 1.1);
    }
  });

  it('gets wider with a sturdier build and a bigger head with headSize', () => {
    const width = (build: Choice['build']) => {
      const b = worldBounds(parseGlb(glbFor({ build })));
      return b.max[0] - b.min[0];
    };
    expect(width('slim')).toBeLessThan(width('average'));
    expect(width('average')).toBeLessThan(width('sturdy'));
    const headHeight = (headSize: number) => {
      const glb = parseGlb(glbFor({ headSize }));
      const head = glb.json.meshes.findIndex((m) => m.name === 'Head');
      const a = glb.json.accessors[glb.json.meshes[head]!.primitives[0]!.attributes.POSITION!]!;
      return a.max![1]! - a.min![1]!;
    };
    expect(headHeight(1.3)).toBeGreaterThan(headHeight(1) * 1.25);
  });

  it('has a named hierarchy: a root, the body parts, and only the accessories asked for', () => {
    const plain = parseGlb(glbFor({ hair: 'none' }));
    const names = nodeNames(plain);
    expect(plain.json.nodes[plain.json.scenes[0]!.nodes[0]!]!.name).toBe('Character');
    for (const part of [
      'Hips',
      'Torso',
      'Neck',
      'Head',
      'Eyes',
      'LeftUpperArm',
      'RightForearm',
      'LeftHand',
      'RightLeg',
      'LeftShoe',
    ]) {
      expect(names).toContain(part);
    }
    for (const absent of ['Hair', 'Hat', 'Glasses', 'Backpack']) expect(names).not.toContain(absent);
    expect(new Set(names).size).toBe(names.length);

    const dressed = parseGlb(glbFor({ hair: 'long', hat: true, glasses: true, backpack: true }));
    for (const part of ['Hair', 'Hat', 'HatBand', 'Glasses', 'Backpack'])
      expect(nodeNames(dressed)).toContain(part);
    // The head's accessories hang under the head, so they follow it when it turns.
    const head = dressed.json.nodes.find((n) => n.name === 'Head')!;
    const under = head.children!.map((i) => dressed.json.nodes[i]!.name);
    expect(under).toEqual(expect.arrayContaining(['Eyes', 'Hair', 'Glasses', 'Hat']));
    // Left and right limbs share one mesh.
    const mesh = (name: string) => dressed.json.nodes.find((n) => n.name === name)!.mesh;
    expect(mesh('LeftLeg')).toBe(mesh('RightLeg'));
    expect(mesh('LeftHand')).toBe(mesh('RightHand'));
  });

  it('names each hair style differently', () => {
    const hairMesh = (hair: Choice['hair']) =>
      parseGlb(glbFor({ hair })).json.meshes.find((m) => m.name.startsWith('Hair'))?.name;
    expect(hairMesh('none')).toBeUndefined();
    expect(hairMesh('short')).toBe('HairShort');
    expect(hairMesh('long')).toBe('HairLong');
    expect(hairMesh('mohawk')).toBe('HairMohawk');
  });

  it('writes one material per colour, with sRGB colours converted to linear', () => {
    const glb = parseGlb(
      glbFor({ shirtColour: '#808080', trousersColour: '#ffffff', skinColour: '#000000' }),
    );
    const material = (name: string) =>
      glb.json.materials.find((m) => m.name === name)!.pbrMetallicRoughness.baseColorFactor;
    for (const [i, v] of material('Shirt').entries()) expect(v).toBeCloseTo(i < 3 ? 0.21586 : 1, 4);
    expect(material('Trousers')).toEqual([1, 1, 1, 1]);
    expect(material('Skin')).toEqual([0, 0, 0, 1]);
    const names = glb.json.materials.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    // Every material is used by some mesh (none written for an absent accessory).
    const used = new Set(glb.json.meshes.flatMap((m) => m.primitives.map((p) => p.material)));
    expect(used.size).toBe(glb.json.materials.length);
    expect(names).not.toContain('Hat');
  });

  it('has flat normals that point out of each face, in the winding direction', () => {
    const glb = parseGlb(glbFor({ hair: 'long', hat: true, glasses: true, backpack: true }));
    for (const mesh of glb.json.meshes) {
      const p = mesh.primitives[0]!;
      const pos = readFloats(glb, p.attributes.POSITION!);
      const nor = readFloats(glb, p.attributes.NORMAL!);
      const idx = readIndices(glb, p.indices);
      for (let t = 0; t < idx.length; t += 3) {
        const [a, b, c] = [idx[t]! * 3, idx[t + 1]! * 3, idx[t + 2]! * 3];
        const e1 = [pos[b]! - pos[a]!, pos[b + 1]! - pos[a + 1]!, pos[b + 2]! - pos[a + 2]!];
        const e2 = [pos[c]! - pos[a]!, pos[c + 1]! - pos[a + 1]!, pos[c + 2]! - pos[a + 2]!];
        const n = [
          e1[1]! * e2[2]! - e1[2]! * e2[1]!,
          e1[2]! * e2[0]! - e1[0]! * e2[2]!,
          e1[0]! * e2[1]! - e1[1]! * e2[0]!,
        ];
        const len = Math.hypot(n[0]!, n[1]!, n[2]!);
        for (const v of [a, b, c]) {
          const cos = (n[0]! * nor[v]! + n[1]! * nor[v + 1]! + n[2]! * nor[v + 2]!) / len;
          expect(cos, mesh.name).toBeGreaterThan(0.999);
        }
      }
    }
    // On convex parts, "in the winding direction" is also "outwards".
    for (const name of ['Leg', 'UpperArm', 'Forearm', 'Shoe', 'Neck', 'Hips']) {
      const mesh = glb.json.meshes.find((m) => m.name === name)!;
      const p = mesh.primitives[0]!;
      const pos = readFloats(glb, p.attributes.POSITION!);
      const nor = readFloats(glb, p.attributes.NORMAL!);
      const centre = [0, 1, 2].map((c) => {
        let s = 0;
        for (let i = c; i < pos.length; i += 3) s += pos[i]!;
        return s / (pos.length / 3);
      });
      for (let v = 0; v < pos.length; v += 3) {
        const out = [0, 1, 2].reduce((s, c) => s + (pos[v + c]! - centre[c]!) * nor[v + c]!, 0);
        expect(out, name).toBeGreaterThan(0);
      }
    }
  });

  it('is laid out as the GLB spec says: aligned views, padded chunks, exact min/max', () => {
    const bytes = glbFor({ hat: true, glasses: true });
    const glb = parseGlb(bytes);
    expect(glb.declaredLength).toBe(bytes.byteLength);
    expect(glb.jsonChunk.byteLength % 4).toBe(0);
    expect(glb.binChunk.byteLength % 4).toBe(0);
    const text = new TextDecoder().decode(glb.jsonChunk);
    expect(text.trimEnd().endsWith('}')).toBe(true);
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    expect(glb.json.asset).toMatchObject({ version: '2.0', generator: 'Jeton 3d-character' });
    expect(glb.json.buffers[0]!.byteLength).toBeLessThanOrEqual(glb.binChunk.byteLength);
    for (const view of glb.json.bufferViews) expect(view.byteOffset % 4).toBe(0);
    for (const mesh of glb.json.meshes) {
      const accessor = glb.json.accessors[mesh.primitives[0]!.attributes.POSITION!]!;
      const pos = readFloats(glb, mesh.primitives[0]!.attributes.POSITION!);
      for (let c = 0; c < 3; c++) {
        const values = Array.from(pos.filter((_, i) => i % 3 === c));
        expect(accessor.min![c]).toBe(Math.min(...values));
        expect(accessor.max![c]).toBe(Math.max(...values));
      }
    }
  });
});

describe('3d-character: the preview', () => {
  it('encodes a valid PNG with correct CRCs, of the character in its shirt colour', () => {
    const character = buildCharacter(toParams(DEFAULTS));
    const png = decodePng(encodePng(renderPreview(character)));
    expect(png.chunkTypes).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([png.width, png.height, png.bitDepth, png.colourType]).toEqual([512, 512, 8, 2]);
    expect(Array.from(png.rgb.subarray(0, 3))).toEqual([232, 236, 242]);
    let figure = 0;
    for (let i = 0; i < png.rgb.length; i += 3) {
      if (png.rgb[i] !== 232 || png.rgb[i + 1] !== 236 || png.rgb[i + 2] !== 242) figure++;
    }
    expect(figure).toBeGreaterThan(512 * 512 * 0.05);
    expect(countShadesOf(png, DEFAULTS.shirtColour)).toBeGreaterThan(1000);
    expect(countShadesOf(png, DEFAULTS.trousersColour)).toBeGreaterThan(1000);
    expect(countShadesOf(png, '#c0392b')).toBe(0);
  });

  it('uses zlib.crc32 the same way as a table CRC', () => {
    const bytes = encodePng({ width: 2, height: 1, rgb: new Uint8Array([255, 0, 0, 0, 0, 255]) });
    const ihdr = bytes.subarray(8, 8 + 25);
    expect(new DataView(ihdr.buffer, ihdr.byteOffset).getUint32(21)).toBe(crc32Table(ihdr.subarray(4, 21)));
    const png = decodePng(bytes);
    expect(Array.from(png.rgb)).toEqual([255, 0, 0, 0, 0, 255]);
  });
});
