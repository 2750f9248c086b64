import { fileURLToPath } from 'node:url';
import { AgentFailure, type ModelAccess, type ModelRequest, testAgent } from '@jeton/runtime/sdk';
import validator from 'gltf-validator';
import { describe, expect, it, vi } from 'vitest';
import { type EvalCase, readEvalCases, runEvalCase } from '../evals.ts';
import agent from './agent.ts';
import { benchCase } from './bench-case.ts';
import { buildCharacter } from './character.ts';
import { encodeGlb } from './glb.ts';
import {
  type Choice,
  canonicalChoice,
  checkColours,
  DEFAULTS,
  HAIR_STYLES,
  mergeChoice,
  toParams,
} from './params.ts';
import { encodePng } from './png.ts';
import { renderPreview } from './render.ts';
import {
  countShadesOf,
  crc32Table,
  decodePng,
  nodeNames,
  type ParsedGlb,
  parseGlb,
  readFloats,
  readIndices,
  worldBounds,
} from './test-support.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));

function glbFor(over: Partial<Choice>): Uint8Array {
  return encodeGlb(buildCharacter(toParams({ ...DEFAULTS, ...over })), { generator: 'Jeton 3d-character' });
}

async function validate(glb: Uint8Array) {
  const report = await validator.validateBytes(glb, { writeTimestamp: false, maxIssues: 0 });
  return report.issues;
}

function fakeModel(answer: (request: ModelRequest) => unknown, requests: ModelRequest[] = []): ModelAccess {
  return {
    unavailable: null,
    generate: async (request) => {
      requests.push(request);
      const object = answer(request);
      return {
        text: JSON.stringify(object),
        object,
        model: 'test/fake',
        usage: { inputTokens: 1, outputTokens: 1 },
        costMicroCredits: 0n,
      };
    },
  };
}

const recorded = (glb: ParsedGlb) => glb.json.asset.extras?.parameters as Record<string, unknown>;

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

describe('3d-character: runs', () => {
  it('delivers the model and the preview, charged per event', async () => {
    const result = await testAgent(agent, { input: { shirtColour: '#c0392b', hat: true } });
    expect(result.status).toBe('succeeded');
    expect(result.charges).toEqual([
      { event: 'model', quantity: 1 },
      { event: 'preview', quantity: 1 },
    ]);
    expect(result.credits).toBe(35);
    const glb = result.artifacts.get('character.glb')!;
    expect(glb.mediaType).toBe('model/gltf-binary');
    expect((await validate(glb.bytes)).numErrors).toBe(0);
    expect(recorded(parseGlb(glb.bytes))).toMatchObject({ shirtColour: '#c0392b', hat: true, height: 1.75 });
    const preview = result.artifacts.get('preview.png')!;
    expect(preview.mediaType).toBe('image/png');
    const png = decodePng(preview.bytes);
    expect(countShadesOf(png, '#c0392b')).toBeGreaterThan(1000);
    expect(countShadesOf(png, DEFAULTS.shirtColour)).toBe(0);
    expect(result.progress.at(-1)?.percent).toBe(100);
  });

  it('refuses a colour that is not #rrggbb, naming the field, before charging anything', async () => {
    for (const [field, value] of [
      ['shirtColour', 'blue'],
      ['trousersColour', '#12345'],
      ['hairColour', 'rgb(0,0,0)'],
    ]) {
      const result = await testAgent(agent, { input: { [field!]: value } });
      expect(result.status).toBe('failed');
      expect(result.failure?.code).toBe('input_invalid');
      expect(result.failure?.message).toContain(field);
      expect(result.artifacts.size).toBe(0);
      expect(result.charges).toEqual([]);
      expect(result.credits).toBe(0);
    }
  });

  it('checks colours itself too, with a message the buyer can act on', () => {
    // The platform refuses these first today; the agent does not rely on it (the schema says "string").
    const attempt = (over: Partial<Choice>) => () => checkColours({ ...DEFAULTS, ...over });
    expect(attempt({ shirtColour: 'blue' })).toThrow(AgentFailure);
    expect(attempt({ shirtColour: 'blue' })).toThrow(
      'Shirt (shirtColour) must be a hex colour such as #2a6fdb, not "blue".',
    );
    expect(attempt({ hairColour: '#12345' })).toThrow(/hairColour/);
    const thrown = (() => {
      try {
        attempt({ skinColour: 'x'.repeat(500) })();
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(AgentFailure);
    expect((thrown as AgentFailure).code).toBe('input_invalid');
    expect((thrown as AgentFailure).message.length).toBeLessThan(150);
    expect(attempt({ shirtColour: '#ABC', skinColour: ' #C68642 ' })).not.toThrow();
    expect(canonicalChoice({ ...DEFAULTS, shirtColour: '#ABC', skinColour: ' #C68642 ' })).toMatchObject({
      shirtColour: '#aabbcc',
      skinColour: '#c68642',
    });
  });

  it('refuses what the schema refuses (a height out of range, an unknown hair style)', async () => {
    for (const input of [{ height: 3 }, { hair: 'afro' }, { build: 'huge' }]) {
      const result = await testAgent(agent, { input });
      expect(result.status).toBe('failed');
      expect(result.failure?.code).toBe('input_invalid');
    }
  });

  it('still delivers the model, charged alone, when the preview cannot be rendered', async () => {
    vi.resetModules();
    vi.doMock('./render.ts', async (original) => ({
      ...(await original<typeof import('./render.ts')>()),
      renderPreview: () => {
        throw new Error('rasteriser exploded');
      },
    }));
    try {
      const { default: fragile } = await import('./agent.ts');
      const result = await testAgent(fragile, { input: {} });
      expect(result.status).toBe('succeeded');
      expect([...result.artifacts.keys()]).toEqual(['character.glb']);
      expect(result.charges).toEqual([{ event: 'model', quantity: 1 }]);
      expect(result.credits).toBe(30);
      expect(result.logs).toContainEqual({
        level: 'warn',
        message: expect.stringContaining('rasteriser exploded'),
      });
    } finally {
      vi.doUnmock('./render.ts');
      vi.resetModules();
    }
  });

  it('ignores the description, with a warning, when no model is configured', async () => {
    const result = await testAgent(agent, { input: { description: 'A pirate with a hat' } });
    expect(result.status).toBe('succeeded');
    expect(result.modelCalls).toEqual([]);
    expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('no model provider'))).toBe(true);
    expect(recorded(parseGlb(result.artifacts.get('character.glb')!.bytes))).toMatchObject({ hat: false });
  });
});

describe('3d-character: with a model', () => {
  const pirate = {
    height: 1.9,
    build: 'sturdy',
    headSize: 1.1,
    skinColour: '#c68642',
    shirtColour: '#f5f5dc',
    trousersColour: '#1c1c1c',
    hairColour: '#111111',
    hair: 'long',
    hat: true,
    glasses: false,
    backpack: false,
  };

  it('fills the fields left at their defaults from the description; the buyer keeps what they set', async () => {
    const requests: ModelRequest[] = [];
    const result = await testAgent(agent, {
      input: { description: 'A tall pirate captain in a white shirt', shirtColour: '#8b0000', glasses: true },
      models: fakeModel(() => pirate, requests),
    });
    expect(result.status).toBe('succeeded');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.prompt).toContain('A tall pirate captain in a white shirt');
    expect(requests[0]!.schema).toMatchObject({
      type: 'object',
      properties: { hair: { enum: ['none', 'short', 'long', 'mohawk'] } },
    });
    const params = recorded(parseGlb(result.artifacts.get('character.glb')!.bytes));
    expect(params).toMatchObject({
      height: 1.9,
      build: 'sturdy',
      hair: 'long',
      hat: true,
      hairColour: '#111111',
    });
    expect(params).toMatchObject({ shirtColour: '#8b0000', glasses: true });
    expect(
      result.logs.some(
        (l) => l.message.includes('Kept as you set them') && l.message.includes('shirtColour'),
      ),
    ).toBe(true);
    expect(result.charges.map((c) => c.event)).toEqual(['model', 'preview']);
    expect(
      worldBounds(parseGlb(result.artifacts.get('character.glb')!.bytes), (n) => n === 'Hair' || n === 'Hat')
        .max[1],
    ).toBeCloseTo(1.9, 4);
  });

  it('drops the unusable values of a careless answer and keeps the rest', async () => {
    const result = await testAgent(agent, {
      input: { description: 'someone' },
      models: fakeModel(() => ({ ...pirate, height: 7, shirtColour: 'red', hair: 'dreadlocks' })),
    });
    expect(result.status).toBe('succeeded');
    const params = recorded(parseGlb(result.artifacts.get('character.glb')!.bytes));
    expect(params).toMatchObject({
      height: 1.75,
      shirtColour: DEFAULTS.shirtColour,
      hair: 'short',
      hat: true,
      build: 'sturdy',
    });
    const warning = result.logs.find((l) => l.level === 'warn')?.message ?? '';
    expect(warning).toContain('height');
    expect(warning).toContain('shirtColour');
    expect(warning).toContain('hair');
  });

  it('builds from the buyer values alone when the model fails', async () => {
    const failing: ModelAccess = {
      unavailable: null,
      generate: () => Promise.reject(new AgentFailure('provider_transient', 'rate limited')),
    };
    const result = await testAgent(agent, {
      input: { description: 'a wizard', hair: 'mohawk' },
      models: failing,
    });
    expect(result.status).toBe('succeeded');
    expect(result.logs).toContainEqual({ level: 'warn', message: expect.stringContaining('rate limited') });
    expect(recorded(parseGlb(result.artifacts.get('character.glb')!.bytes))).toMatchObject({
      hair: 'mohawk',
      hat: false,
    });
    expect(result.credits).toBe(35);
  });

  it('stops without artifacts or charges when the buyer cancels during the model call', async () => {
    const controller = new AbortController();
    const cancelling: ModelAccess = {
      unavailable: null,
      generate: async (_request, signal) => {
        controller.abort();
        throw new Error(signal.aborted ? 'aborted' : 'the signal did not follow the cancellation');
      },
    };
    const result = await testAgent(agent, {
      input: { description: 'a knight' },
      models: cancelling,
      signal: controller.signal,
    });
    expect(result.status).toBe('cancelled');
    expect(result.failure?.code).toBe('cancelled_by_buyer');
    expect(result.artifacts.size).toBe(0);
    expect(result.charges).toEqual([]);
    expect(result.credits).toBe(0);
  });
});

describe('3d-character: precedence', () => {
  it('treats a value equal to the default (in any hex spelling) as unset', () => {
    const merged = mergeChoice(
      { ...DEFAULTS, skinColour: '#E0AC69', hat: true },
      { skinColour: '#8d5524', hat: false, hair: 'long' },
    );
    expect(merged.choice).toMatchObject({ skinColour: '#8d5524', hat: true, hair: 'long' });
    expect(merged.fromModel.sort()).toEqual(['hair', 'skinColour']);
    expect(merged.keptFromBuyer).toEqual(['hat']);
  });
});

describe('3d-character: evals and bench', () => {
  it('passes every eval case', async () => {
    for (const c of readEvalCases(dir)) {
      const outcome = await runEvalCase(agent as never, dir, c);
      expect(outcome.failures, c.name).toEqual([]);
    }
  });

  it("passes the manifest's own tests", async () => {
    expect(agent.manifest.tests.length).toBeGreaterThan(0);
    for (const t of agent.manifest.tests) {
      const outcome = await runEvalCase(agent as never, dir, {
        ...t,
        input: t.input as EvalCase['input'],
        files: [],
      });
      expect(outcome.failures, t.name).toEqual([]);
    }
  });

  it('has a bench case the agent accepts', async () => {
    const { input, files } = await benchCase();
    const result = await testAgent(agent, { input, files });
    expect(result.status).toBe('succeeded');
    expect(result.artifacts.size).toBe(2);
  });
});
