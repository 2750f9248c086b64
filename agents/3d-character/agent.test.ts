import { fileURLToPath } from 'node:url';
import { AgentFailure, type ModelAccess, type ModelRequest, testAgent } from '@jeton/runtime/sdk';
import { describe, expect, it, vi } from 'vitest';
import { type EvalCase, readEvalCases, runEvalCase } from '../evals.ts';
import agent from './agent.ts';
import { benchCase } from './bench-case.ts';
import { type Choice, canonicalChoice, checkColours, DEFAULTS, mergeChoice } from './params.ts';
import { countShadesOf, decodePng, type ParsedGlb, parseGlb, validate, worldBounds } from './test-support.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));

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
