import { createServer } from 'node:http';
import { type Manifest, parseManifest } from '@jeton/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runLocally } from '../local/run-locally.ts';
import { type ModelAccess, NO_MODELS } from '../sdk/context.ts';
import { testManifest } from './fixtures/manifest.ts';
import { BuiltinPool } from './pool.ts';

const ENTRIES = [
  'everything',
  'overcharge',
  'refuses',
  'throws',
  'spins',
  'hogs',
  'polite',
  'late',
  'throws-later',
];
const pool = new BuiltinPool({
  modules: Object.fromEntries(ENTRIES.map((e) => [e, new URL(`./fixtures/${e}.ts`, import.meta.url).href])),
  abortGraceMs: 200,
});
afterAll(() => pool.close());

function manifestOf(entry: string, overrides = {}): Manifest {
  const m = parseManifest(testManifest(entry, overrides));
  if (!m.ok) throw new Error(JSON.stringify(m.error));
  return m.value;
}

const fakeModel: ModelAccess = {
  unavailable: null,
  generate: async (request) => {
    request.onText?.('Hel');
    request.onText?.('lo');
    return {
      text: `Hello (${request.prompt})`,
      model: 'test/fake',
      usage: { inputTokens: 3, outputTokens: 2 },
      costMicroCredits: 1234n,
    };
  },
};

describe('built-in agents in worker threads', () => {
  it('gives the agent its whole context across the thread: files, secrets, artifacts, charges, questions, the model', async () => {
    const manifest = manifestOf('everything');
    const doc = new Uint8Array(3 * 1024 * 1024).fill(7);
    const r = await runLocally(manifest, (ctx) => pool.run('everything', manifest, ctx, fakeModel), {
      files: [
        { field: 'docs', name: 'a.txt', mediaType: 'text/plain', bytes: doc },
        { field: 'docs', name: 'b.txt', mediaType: 'text/plain', bytes: 'four' },
      ],
      secrets: { API_TOKEN: 's3cret', OTHER: 'not declared' },
      answer: () => ({ ok: true }),
    });
    expect(r.failure).toBeNull();
    expect(r.status).toBe('succeeded');
    expect(r.progress).toEqual([{ percent: 10, message: 'text hello' }]);
    expect(r.logs).toEqual([{ level: 'warn', message: 'secrets API_TOKEN: s3cret' }]);
    expect(r.artifacts.get('sizes.txt')?.text()).toBe(`a.txt:${doc.length},b.txt:4 read ${doc.length + 4}`);
    const big = r.artifacts.get('big.bin')!;
    expect(big.bytes.length).toBe(64 * 64 * 1024);
    expect([big.bytes[0], big.bytes[64 * 1024], big.bytes.at(-1)]).toEqual([0, 1, 63]);
    expect(JSON.parse(r.artifacts.get('answer.json')!.text())).toEqual({
      answer: { ok: true },
      reply: 'Hello (say hello)',
      streamed: ['Hel', 'lo'],
      model: true,
    });
    expect(r.charges).toEqual([{ event: 'page', quantity: 2 }]);
    expect(r.modelCalls).toEqual([
      { model: 'test/fake', inputTokens: 3, outputTokens: 2, costMicroCredits: 1234n },
    ]);
    expect(r.credits).toBe(4);
  });

  it('refuses an artifact past the size limit while it streams across the thread, and the run fails clearly', async () => {
    const manifest = manifestOf('everything');
    const r = await runLocally(manifest, (ctx) => pool.run('everything', manifest, ctx, NO_MODELS), {
      answer: () => ({ ok: true }),
      maxArtifactBytes: 1024 * 1024,
    });
    expect(r.failure).toEqual({
      code: 'agent_error',
      message: 'Artifact "big.bin" is larger than 1048576 bytes.',
    });
    expect([...r.artifacts.keys()]).toEqual(['sizes.txt']);
  });

  it('says when no model is configured, and the agent still runs', async () => {
    const manifest = manifestOf('everything');
    const r = await runLocally(manifest, (ctx) => pool.run('everything', manifest, ctx, NO_MODELS), {
      answer: () => ({ ok: false }),
    });
    expect(r.status).toBe('succeeded');
    expect(JSON.parse(r.artifacts.get('answer.json')!.text())).toMatchObject({ reply: null, model: false });
  });

  it('keeps a failure’s code across the thread: refused charges, classified failures, plain errors', async () => {
    const run = (entry: string) => {
      const m = manifestOf(entry);
      return runLocally(m, (ctx) => pool.run(entry, m, ctx, NO_MODELS));
    };
    const over = await run('overcharge');
    expect(over.failure).toEqual({
      code: 'agent_error',
      message: 'Charging "page" would bring the run to 12 credits, above its maximum of 10.',
    });
    expect(over.charges).toEqual([{ event: 'page', quantity: 3 }]);
    expect((await run('refuses')).failure).toEqual({
      code: 'input_invalid',
      message: 'The archive is not a zip.',
    });
    expect((await run('throws')).failure).toEqual({ code: 'agent_error', message: 'oops' });
  });

  it('stops an agent that never yields at its timeout, and the process keeps serving meanwhile', async () => {
    const server = createServer((_, res) => res.end('still here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const m = manifestOf('spins');
      const running = runLocally(m, (ctx) => pool.run('spins', m, ctx, NO_MODELS), { timeoutMs: 1500 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answered = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      const r = await running;
      expect(answered).toBe('still here');
      expect(r.status).toBe('timed_out');
      expect(r.progress).toEqual([{ percent: 1, message: 'spinning' }]);
    } finally {
      server.close();
    }
  });

  it('ends an agent past its memory limit as a violation, and runs the next agent normally', async () => {
    const m = manifestOf('hogs', { limits: { timeoutSeconds: 60, memoryMb: 32 } });
    const r = await runLocally(m, (ctx) => pool.run('hogs', m, ctx, NO_MODELS));
    expect(r.failure).toEqual({
      code: 'agent_violation',
      message: 'The agent used more than its memory limit of 32 MB.',
    });
    const next = manifestOf('everything');
    const ok = await runLocally(next, (ctx) => pool.run('everything', next, ctx, NO_MODELS), {
      answer: () => ({ ok: true }),
    });
    expect(ok.status).toBe('succeeded');
  });

  it('reuses an agent’s thread for its next run, and never one whose run was stopped', async () => {
    const fresh = new BuiltinPool({
      modules: {
        everything: new URL('./fixtures/everything.ts', import.meta.url).href,
        polite: new URL('./fixtures/polite.ts', import.meta.url).href,
      },
      abortGraceMs: 1000,
    });
    try {
      const m = manifestOf('everything');
      const once = () =>
        runLocally(m, (ctx) => fresh.run('everything', m, ctx, NO_MODELS), { answer: () => ({ ok: true }) });
      await once();
      await once();
      expect(fresh.threads).toBe(1);
      // Stops promptly when its timeout aborts it: its thread still goes.
      const p = manifestOf('polite');
      const stopped = await runLocally(p, (ctx) => fresh.run('polite', p, ctx, NO_MODELS), {
        timeoutMs: 200,
      });
      expect(stopped.status).toBe('timed_out');
      // The agent stops a moment after the run is over for the buyer (and within the grace period).
      for (let i = 0; i < 50 && fresh.threads > 1; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fresh.threads).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('never lets a call an agent left behind reach the next run on the same thread', async () => {
    const m = manifestOf('late');
    const first = await runLocally(m, (ctx) => pool.run('late', m, ctx, NO_MODELS));
    // The second run reuses the thread; the first run's charge fires while it runs.
    const second = await runLocally(m, (ctx) => pool.run('late', m, ctx, NO_MODELS));
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect([first.charges, second.charges]).toEqual([[], []]);
  });

  it('survives an agent that throws while its thread is idle, and runs it again on a new thread', async () => {
    const fresh = new BuiltinPool({
      modules: { 'throws-later': new URL('./fixtures/throws-later.ts', import.meta.url).href },
    });
    try {
      const m = manifestOf('throws-later');
      const once = () => runLocally(m, (ctx) => fresh.run('throws-later', m, ctx, NO_MODELS));
      expect((await once()).status).toBe('succeeded');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fresh.threads).toBe(0);
      expect((await once()).status).toBe('succeeded');
    } finally {
      await fresh.close();
    }
  });
});
