import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  AgentFailure,
  type BuiltinAgent,
  Catalog,
  Ledger,
  type ManifestInput,
  RegistryExecutor,
} from '@jeton/core';
import { LocalBlobStorage } from '../blobs/local.ts';
import { DrizzleCatalogStore } from '../catalog/store.ts';
import type { DatabaseHandle } from '../connect.ts';
import { DrizzleLedgerStore } from '../ledger/store.ts';
import { agentManifest } from '../testing/index.ts';
import { type RunPlatform, type RunPlatformOptions, startRunPlatform } from './platform.ts';

export const creator: Actor = { id: 'usr_creator', role: 'user' };

/** The gate agent's state: how many are inside now, the most at once, and the promise they wait on. */
export const gate = { running: 0, peak: 0, opened: Promise.resolve(), open: () => {} };
export function closeGate(): void {
  gate.peak = 0;
  gate.opened = new Promise<void>((resolve) => {
    gate.open = resolve;
  });
}

/** Built-in test agents, by runtime entry (the slug). */
export const testAgents: Record<string, BuiltinAgent> = {
  echo: async (ctx) => {
    ctx.progress(50, 'echoing');
    ctx.log('info', `got ${String(ctx.input.text).length} characters`);
    await ctx.artifact('echo.txt', new TextEncoder().encode(String(ctx.input.text)), 'text/plain');
    ctx.progress(100, 'done');
  },
  noop: async () => {},
  boom: async () => {
    throw new Error('boom');
  },
  // Fails with a message Postgres could not store as is.
  'boom-nul': async () => {
    throw new Error('bad \u0000 byte');
  },
  // Never ends on its own: for timeouts and cancellations.
  hang: (ctx) =>
    new Promise((_, reject) =>
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
    ),
  // Ignores its AbortSignal entirely.
  deaf: () => new Promise(() => {}),
  ask: async (ctx) => {
    const answer = await ctx.ask('Which colour?', {
      type: 'object',
      required: ['colour'],
      properties: { colour: { type: 'string', title: 'Colour', enum: ['red', 'blue'] } },
    });
    await ctx.artifact('answer.txt', new TextEncoder().encode(String(answer.colour)), 'text/plain');
  },
  // Per-event: charges `input.text` previews (a number as text), then the model.
  events: async (ctx) => {
    const previews = Number(ctx.input.text);
    for (let i = 0; i < previews; i++) await ctx.charge('preview');
    if (ctx.input.text === '2') {
      // a cancellation test waits here after two previews
      await new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    await ctx.charge('model');
  },
  // Waits until the test opens the gate.
  gate: async (ctx) => {
    gate.running++;
    gate.peak = Math.max(gate.peak, gate.running);
    try {
      await gate.opened;
    } finally {
      gate.running--;
    }
    ctx.progress(100, 'through');
  },
  // Per event, retry-safe: charges a preview, and on its first attempt then fails as the platform's fault.
  'events-flaky': async (ctx, run) => {
    await ctx.charge('preview');
    if (run.attempt === 1) throw new AgentFailure('platform_transient', 'lost after a preview');
    await ctx.charge('model');
  },
  // Writes text Postgres cannot store as is (NUL, a lone surrogate) into its log and its question.
  odd: async (ctx) => {
    ctx.log('info', 'nul \u0000 and \ud800 here');
    ctx.progress(50, '\u0000');
    await ctx.artifact('odd.txt', new TextEncoder().encode('ok'), 'text/plain');
  },
  // Copies its uploaded files into one artifact, streamed, with a line per file.
  files: async (ctx) => {
    async function* lines() {
      for (const f of ctx.files.docs ?? []) {
        yield new TextEncoder().encode(`${f.name} ${f.mediaType} ${f.size}: `);
        const reader = (await f.open()).getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
        yield new TextEncoder().encode('\n');
      }
    }
    await ctx.artifact('files.txt', lines(), 'text/plain');
  },
  // Writes out the secrets it was given.
  secretive: async (ctx) => {
    await ctx.artifact(
      'secrets.json',
      new TextEncoder().encode(JSON.stringify(ctx.secrets)),
      'application/json',
    );
  },
  // Meters model calls of `input.text` millionths of a credit each until the budget runs out (at most 5).
  metered: async (ctx) => {
    for (let i = 0; i < 5; i++) {
      const left = await ctx.meter({
        model: 'test/model',
        inputTokens: 100,
        outputTokens: 50,
        costMicroCredits: BigInt(String(ctx.input.text)),
      });
      ctx.log('info', `left ${left.remainingMicroCredits}`);
      if (left.remainingMicroCredits !== null && left.remainingMicroCredits <= 0n) return;
    }
  },
  // Asks with an answer form Postgres could not store (a NUL in a title), to blame the platform.
  'odd-question': async (ctx) => {
    await ctx.ask('Which?', { type: 'object', properties: { a: { type: 'string', title: 'bad \u0000' } } });
  },
  // Fails as the platform's fault on its first attempt, then succeeds.
  flaky: async (_ctx, run) => {
    if (run.attempt === 1) throw new AgentFailure('platform_transient', 'the platform hiccuped');
  },
};

export const testExecutor = new RegistryExecutor(testAgents);

export const perEvent = {
  pricing: {
    model: 'per_event',
    events: [
      { name: 'preview', credits: 5 },
      { name: 'model', credits: 30 },
    ],
    maxCreditsPerRun: 45,
  },
} as unknown as Partial<ManifestInput>;

/** The `files` agent's input: a text and up to three text files. */
export const withFiles = {
  input: {
    type: 'object',
    required: ['docs'],
    properties: {
      text: { type: 'string', title: 'Text' },
      docs: {
        type: 'array',
        editor: 'file',
        title: 'Documents',
        items: { type: 'string' },
        accept: ['.txt'],
        maxBytes: 1000,
        maxCount: 3,
      },
    },
  },
} as unknown as Partial<ManifestInput>;

export const perToken = {
  pricing: { model: 'per_token', markupBps: 2000, maxCreditsPerRun: 6 },
} as unknown as Partial<ManifestInput>;

export interface Harness {
  platform: RunPlatform;
  catalog: Catalog;
  ledger: Ledger;
  close(): Promise<void>;
}

/** A run platform (API and worker in one) on `handle`, with the test agents published by `creator`. */
export async function startHarness(
  handle: DatabaseHandle,
  url: string | undefined,
  overrides: Partial<Omit<RunPlatformOptions, 'worker'>> & {
    worker?: Partial<NonNullable<RunPlatformOptions['worker']>> | false;
  } = {},
): Promise<Harness> {
  const catalog = new Catalog(new DrizzleCatalogStore(handle), { platformCreators: [creator.id] });
  await catalog.registerCreator({ id: creator.id, handle: 'creator', displayName: 'Creator' });
  const ledger = new Ledger(new DrizzleLedgerStore(handle));
  const platform = await startRunPlatform({
    handle,
    url,
    catalog,
    executor: testExecutor,
    storage: new LocalBlobStorage(mkdtempSync(join(tmpdir(), 'jeton-blobs-'))),
    limits: { perBuyer: 50, perAgent: 500 },
    maxRunMs: 3600_000,
    commissionBps: 2000,
    payoutMinimum: 1000n,
    ...overrides,
    worker:
      overrides.worker === false
        ? undefined
        : {
            capacity: 20,
            heartbeatMs: 200,
            leaseMs: 2000,
            sweepMs: 300,
            questionTimeoutMs: 60_000,
            maxArtifactBytes: 1024 * 1024,
            // Each declared secret's value names the agent and the secret; the source also offers one
            // that no agent declares, which must never reach an agent.
            secrets: async (m) => ({
              ...Object.fromEntries(m.secrets.map((s) => [s.name, `${m.slug}:${s.name}`])),
              UNDECLARED: 'never given',
            }),
            retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
            ...overrides.worker,
          },
  });
  return { platform, catalog, ledger, close: () => platform.close(1000) };
}

/** Publishes a test agent (once per catalog; publishing again is a no-op here). */
export async function publishAgent(
  catalog: Catalog,
  slug: string,
  overrides: Partial<ManifestInput> = {},
  entry = slug,
) {
  const draft = await catalog.saveDraft(
    creator,
    agentManifest(slug, { runtime: { kind: 'builtin', entry }, ...overrides }),
  );
  if (!draft.ok) throw new Error(JSON.stringify(draft.error));
  const p = await catalog.publish(creator, slug, draft.value.version.version);
  if (!p.ok) throw new Error(JSON.stringify(p.error));
}

/** Waits until `check` returns a value (polling), or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
