import { describe, expect, it } from 'vitest';
import { testManifest } from '../builtin/fixtures/manifest.ts';
import type { ModelAccess } from './context.ts';
import { defineAgent } from './define-agent.ts';
import { testAgent } from './test-agent.ts';

const tokenManifest = (max: number) =>
  testManifest('sdk', { pricing: { model: 'per_token', markupBps: 0, maxCreditsPerRun: max } });

/** A model that answers every call at `cost` millionths of a credit, counting its calls. */
function countingModel(cost: bigint) {
  const calls: string[] = [];
  const access: ModelAccess = {
    unavailable: null,
    generate: async (request) => {
      calls.push(request.prompt);
      return {
        text: 'ok',
        model: 'test/m',
        usage: { inputTokens: 1, outputTokens: 1 },
        costMicroCredits: cost,
      };
    },
  };
  return { calls, access };
}

describe('the agent SDK', () => {
  it('refuses a broken manifest when the agent is defined, naming every problem', () => {
    expect(() =>
      defineAgent({
        manifest: { ...testManifest('x'), slug: 'Bad Slug', version: 'one' },
        run: async () => {},
      }),
    ).toThrow(/\$\.slug: .*; \$\.version: expected a semantic version/);
  });

  it('gives `run` the input with the manifest’s defaults filled in, keeping what the buyer gave', async () => {
    const seen: unknown[] = [];
    const agent = defineAgent<{ text?: string | null }>({
      manifest: testManifest('defaults'),
      async run(ctx, input) {
        seen.push(input, ctx.input);
      },
    });
    await testAgent(agent, {});
    await testAgent(agent, { input: { text: 'mine' } });
    expect(seen).toEqual([{ text: 'hello' }, { text: 'hello' }, { text: 'mine' }, { text: 'mine' }]);
  });

  it('stores text, bytes, streams and async iterables alike as artifacts', async () => {
    const agent = defineAgent({
      manifest: testManifest('artifacts'),
      async run(ctx) {
        await ctx.artifact('a.txt', 'text', 'text/plain');
        await ctx.artifact('b.bin', new Uint8Array([1, 2, 3]), 'application/octet-stream');
        await ctx.artifact('c.txt', new Blob(['from ', 'a stream']).stream(), 'text/plain');
        await ctx.artifact(
          'd.txt',
          (async function* () {
            yield new TextEncoder().encode('it');
            yield new TextEncoder().encode('erable');
          })(),
          'text/plain',
        );
      },
    });
    const r = await testAgent(agent);
    expect(r.status).toBe('succeeded');
    expect([...r.artifacts.values()].map((a) => [a.name, a.text()])).toEqual([
      ['a.txt', 'text'],
      ['b.bin', '\u0001\u0002\u0003'],
      ['c.txt', 'from a stream'],
      ['d.txt', 'iterable'],
    ]);
  });

  it('refuses what the platform refuses: a bad artifact name or media type, a charge of no whole quantity', async () => {
    const attempt = (name: string, fn: Parameters<typeof defineAgent>[0]['run']) =>
      testAgent(defineAgent({ manifest: testManifest(name), run: fn }));
    expect((await attempt('a', (ctx) => ctx.artifact('../etc/passwd', 'x', 'text/plain'))).failure).toEqual({
      code: 'agent_error',
      message: '"../etc/passwd" is not a valid artifact name (letters, digits, ".", "_", "-").',
    });
    expect((await attempt('b', (ctx) => ctx.artifact('a.txt', 'x', 'not a type'))).failure?.message).toBe(
      '"not a type" is not a media type such as text/plain.',
    );
    expect((await attempt('c', (ctx) => ctx.charge('page', 1.5))).failure?.message).toBe(
      'Charge quantities are whole numbers from 1 (got 1.5).',
    );
  });

  it('says no model is available when none is configured, and a call fails as the provider’s', async () => {
    const agent = defineAgent({
      manifest: testManifest('no-model'),
      async run(ctx) {
        ctx.log(`available ${ctx.model.available}`);
        await ctx.model({ prompt: 'hi' });
      },
    });
    const r = await testAgent(agent);
    expect(r.logs).toEqual([{ level: 'info', message: 'available false' }]);
    expect(r.failure).toEqual({
      code: 'provider_fatal',
      message: 'No model provider is configured on this platform.',
    });
  });

  it('meters every model call, and refuses calls once a per-token run has spent its maximum', async () => {
    const model = countingModel(900_000n);
    const agent = defineAgent({
      manifest: tokenManifest(2),
      async run(ctx) {
        for (let i = 0; i < 5; i++) await ctx.model({ prompt: `call ${i}` });
      },
    });
    const r = await testAgent(agent, { models: model.access });
    // 2 credits = 2,000,000 millionths: the third call (2.7 credits spent) exhausts it, the fourth is refused.
    expect(model.calls).toEqual(['call 0', 'call 1', 'call 2']);
    expect(r.modelCalls.map((c) => c.costMicroCredits)).toEqual([900_000n, 900_000n, 900_000n]);
    expect(r.failure).toEqual({
      code: 'agent_error',
      message: 'The run has spent its maximum on models; no more calls are made.',
    });
    expect(r.credits).toBe(0);
  });

  it('makes model calls started together one at a time, so they cannot overspend the budget together', async () => {
    const model = countingModel(900_000n);
    const agent = defineAgent({
      manifest: tokenManifest(2),
      async run(ctx) {
        const results = await Promise.allSettled(
          [0, 1, 2, 3, 4].map((i) => ctx.model({ prompt: `call ${i}` })),
        );
        ctx.log(results.map((r) => r.status).join(' '));
      },
    });
    const r = await testAgent(agent, { models: model.access });
    expect(model.calls).toEqual(['call 0', 'call 1', 'call 2']);
    expect(r.logs).toEqual([{ level: 'info', message: 'fulfilled fulfilled fulfilled rejected rejected' }]);
  });

  it('charges per event within the maximum, and refuses an event the price lacks', async () => {
    const agent = defineAgent({
      manifest: testManifest('events'),
      async run(ctx) {
        await ctx.charge('page', 5);
        await ctx.charge('page');
      },
    });
    const over = await testAgent(agent);
    expect(over.failure?.message).toBe(
      'Charging "page" would bring the run to 12 credits, above its maximum of 10.',
    );
    const unknown = await testAgent(
      defineAgent({
        manifest: testManifest('unknown-event'),
        async run(ctx) {
          await ctx.charge('nope');
        },
      }),
    );
    expect(unknown.failure).toEqual({ code: 'agent_error', message: 'The price has no event "nope".' });
  });
});
