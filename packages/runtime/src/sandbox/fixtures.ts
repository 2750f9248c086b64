import type { LookupAddress } from 'node:dns';
import { type AgentContext, AgentFailure, type Manifest, parseManifest } from '@jeton/core';
import { expect } from 'vitest';
import { type LocalRunOptions, type LocalRunResult, runLocally } from '../local/run-locally.ts';
import { type ModelAccess, NO_MODELS } from '../sdk/context.ts';
import type { HostFetch, HostLookup, HostRequest } from './network.ts';
import { type CodeRunOptions, runCodeAgent } from './run-code-agent.ts';

/** Test helpers shared by the sandbox's suites. */

export function codeManifest(overrides: Record<string, unknown> = {}): Manifest {
  const parsed = parseManifest({
    manifestVersion: 1,
    slug: 'sandboxed',
    name: 'Sandboxed agent',
    summary: 'A creator bundle run in the sandbox for tests.',
    category: 'development',
    version: '1.0.0',
    input: {
      type: 'object',
      properties: {
        topic: { type: 'string', title: 'Topic', default: 'cats' },
        doc: {
          type: 'array',
          editor: 'file',
          title: 'Document',
          items: { type: 'string' },
          accept: ['text/plain'],
          maxBytes: 1_000_000,
          maxCount: 2,
        },
      },
    },
    pricing: { model: 'per_event', events: [{ name: 'page', credits: 2 }], maxCreditsPerRun: 10 },
    limits: { timeoutSeconds: 30, memoryMb: 32 },
    runtime: { kind: 'code', entry: 'agent.js', allowedHosts: ['api.example.com', '*.cdn.example.org'] },
    secrets: [{ name: 'API_KEY' }],
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

/** A resolver answering from a table (unknown names fail like NXDOMAIN). */
export function fakeLookup(table: Record<string, string[]>): HostLookup {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

/** A fetch that records its requests and answers with `respond` (200 "hello" by default). */
export function fakeFetch(
  respond: (request: HostRequest) => Response = () => new Response('hello'),
): HostFetch & {
  requests: HostRequest[];
} {
  const requests: HostRequest[] = [];
  const fetch = async (request: HostRequest) => {
    requests.push(request);
    return respond(request);
  };
  return Object.assign(fetch, { requests });
}

export const PUBLIC_LOOKUP = fakeLookup({
  'api.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'img.cdn.example.org': ['151.101.1.1'],
});

export interface SandboxRun {
  result: LocalRunResult;
  /** The platform context the sandbox was given (to check that the agent could not change it). */
  core: AgentContext;
  /** The platform context's own properties when the run started. */
  coreBefore: Record<string, unknown>;
  /** Settles when `runCodeAgent` itself has returned (runLocally may return first, on an abort). */
  settled: Promise<unknown>;
}

export async function runBundle(
  bundle: string,
  options: {
    manifest?: Manifest;
    local?: LocalRunOptions;
    code?: CodeRunOptions;
    models?: ModelAccess;
    /** Wraps the platform context the sandbox is given (e.g. `slowCore`). */
    core?: (core: AgentContext) => AgentContext;
  } = {},
): Promise<SandboxRun> {
  const manifest = options.manifest ?? codeManifest();
  let core: AgentContext | undefined;
  let coreBefore: Record<string, unknown> = {};
  let settled: Promise<unknown> = Promise.resolve();
  const result = await runLocally(
    manifest,
    (c) => {
      core = c;
      coreBefore = { ...c };
      const running = runCodeAgent(manifest, bundle, options.core?.(c) ?? c, options.models ?? NO_MODELS, {
        lookup: PUBLIC_LOOKUP,
        fetch: fakeFetch(),
        ...options.code,
      });
      settled = running.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      return running;
    },
    options.local,
  );
  if (core === undefined) throw new Error('The run did not start.');
  return { result, core, coreBefore, settled };
}

export function expectFailure(result: LocalRunResult, code: string, message: string | RegExp): void {
  expect(result.failure?.code, JSON.stringify(result.failure)).toBe(code);
  if (typeof message === 'string') expect(result.failure?.message).toContain(message);
  else expect(result.failure?.message).toMatch(message);
  expect(['failed', 'timed_out']).toContain(result.status);
}

const protoNames = () => Reflect.ownKeys(Object.prototype).map(String).sort();
const HOST_PROTO = protoNames();

/** The host's `Object.prototype` and the platform context are as they were. */
export function expectHostUntouched(run: SandboxRun): void {
  expect(protoNames()).toEqual(HOST_PROTO);
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'then', 'toJSON']) expect(probe[key], key).toBeUndefined();
  expect(Object.getPrototypeOf(run.core)).toBe(Object.prototype);
  expect(Reflect.ownKeys(run.core)).toEqual(Reflect.ownKeys(run.coreBefore));
  for (const [key, value] of Object.entries(run.coreBefore))
    expect(run.core[key as keyof AgentContext], key).toBe(value);
}

/** The same process runs a well-behaved agent right after. */
export async function expectHealthy(): Promise<void> {
  const { result } = await runBundle(
    `export default async function run(ctx) { await ctx.artifact('ok.txt', 'still fine', 'text/plain'); }`,
  );
  expect(result.status).toBe('succeeded');
  expect(result.artifacts.get('ok.txt')?.text()).toBe('still fine');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Host work that ended (a slow artifact store, charge or model call), and when. */
export type Ended = { what: string; at: number }[];

/**
 * The platform context with artifacts and charges taking `ms` to be recorded (as a remote store
 * would), noting in `ended` when each (and each metered model call) has ended.
 */
export function slowCore(ms: number, ended: Ended = []): (core: AgentContext) => AgentContext {
  const note = (what: string) => ended.push({ what, at: performance.now() });
  return (core) => ({
    ...core,
    artifact: async (name, bytes, mediaType) => {
      await sleep(ms);
      try {
        await core.artifact(name, bytes, mediaType);
      } finally {
        note(`artifact ${name}`);
      }
    },
    charge: async (event, quantity) => {
      await sleep(ms);
      try {
        await core.charge(event, quantity);
      } finally {
        note(`charge ${event}`);
      }
    },
    meter: async (call) => {
      try {
        return await core.meter(call);
      } finally {
        note(`model ${call.model}`);
      }
    },
  });
}

/** A model that takes `ms` to answer and ignores the signal (a provider that does not stop). */
export function slowModels(ms: number): ModelAccess {
  return {
    unavailable: null,
    generate: async (request) => {
      await sleep(ms);
      return {
        text: request.prompt,
        model: 'slow/model',
        usage: { inputTokens: 1, outputTokens: 1 },
        costMicroCredits: 1n,
      };
    },
  };
}

/** A fake model: answers with the prompt upper-cased, or a failure when the prompt says "fail:<code>". */
export const FAKE_MODELS: ModelAccess = {
  unavailable: null,
  generate: async (request) => {
    const failing = /^fail:(\w+)/.exec(request.prompt)?.[1];
    if (failing !== undefined) throw new AgentFailure(failing as never, `The model failed (${failing}).`);
    request.onText?.('ignored');
    return {
      text: request.prompt.toUpperCase(),
      ...(request.schema === undefined ? {} : { object: { ok: true } }),
      model: 'fake/model',
      usage: { inputTokens: 3, outputTokens: 5 },
      costMicroCredits: 1200n,
    };
  },
};
