import { type AgentContext, AgentFailure, type Manifest } from '@jeton/core';
import ivm from 'isolated-vm';
import { type ModelAccess, sdkContext } from '../sdk/context.ts';
import { BOOTSTRAP } from './bootstrap.ts';
import { Bridge, SANDBOX_LIMITS, type SandboxLimits } from './bridge.ts';
import { defaultLookup, type HostFetch, type HostLookup, pinnedFetch } from './network.ts';

export interface CodeRunOptions {
  /** The isolate's heap limit in MB (default: the manifest's `limits.memoryMb`; at least 8). */
  memoryMb?: number;
  /** The CPU time the agent may use, in ms (default: the manifest's timeout). */
  cpuTimeMs?: number;
  /** Performs the checked HTTPS requests (default `pinnedFetch`); tests inject their own. */
  fetch?: HostFetch;
  /** Resolves host names before they are checked (default `node:dns` lookup, all addresses). */
  lookup?: HostLookup;
  /** Overrides some of `SANDBOX_LIMITS`. */
  limits?: Partial<SandboxLimits>;
  /**
   * Called when V8 reports that it lost control of an isolate: the process should stop taking work,
   * finish what it runs, and exit (isolated-vm's advice). The run itself fails as `agent_violation`.
   */
  onCatastrophicError?: (message: string) => void;
}

const NODE_GLOBALS = new Set([
  'process',
  'require',
  'module',
  'exports',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'fetch',
  'URL',
  'ReadableStream',
  'AbortController',
  'structuredClone',
  'crypto',
]);

/** Why this manifest and bundle cannot run in the sandbox, or null. */
export function codeUnavailable(manifest: Manifest, bundle: string | null | undefined): string | null {
  if (manifest.runtime.kind !== 'code') {
    return `The sandbox runs code agents; this agent's runtime is "${manifest.runtime.kind}".`;
  }
  if (typeof bundle !== 'string' || bundle.trim() === '') return 'This agent version has no code bundle.';
  const size = Buffer.byteLength(bundle, 'utf8');
  if (size > SANDBOX_LIMITS.maxBundleBytes) {
    return `The bundle is ${size} bytes, above the sandbox's limit of ${SANDBOX_LIMITS.maxBundleBytes}.`;
  }
  return null;
}

/** What the isolate's `start` reports (a copy, checked before use). */
type Outcome =
  | { kind: 'done' }
  | { kind: 'no_entry'; found: string }
  | { kind: 'thrown'; name: string; message: string; failureId: string | null };

function messageOf(error: unknown, max: number): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Marks an error from the isolate's code (not from the sandbox stopping it) with what it meant. */
class AgentCodeError extends Error {}

/**
 * Runs a creator's bundle in a fresh V8 isolate (isolated-vm) with a heap limit and a CPU-time limit,
 * giving it the agent context through a bridge of plain, copied values and nothing else (see the
 * README). Resolves when the agent's `run` resolves; throws an `AgentFailure` otherwise. The isolate is
 * disposed in every case: on return, on failure, on the run's signal (timeout, cancellation), on a
 * violation, past the CPU limit.
 */
export async function runCodeAgent(
  manifest: Manifest,
  bundle: string,
  core: AgentContext,
  models: ModelAccess,
  options: CodeRunOptions = {},
): Promise<void> {
  const unavailable = codeUnavailable(manifest, bundle);
  if (unavailable !== null) throw new AgentFailure('agent_error', unavailable);
  if (core.signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
  const limits: SandboxLimits = { ...SANDBOX_LIMITS, ...options.limits };
  const memoryMb = Math.max(8, Math.floor(options.memoryMb ?? manifest.limits.memoryMb));
  const cpuTimeMs = Math.max(1, options.cpuTimeMs ?? manifest.limits.timeoutSeconds * 1000);
  const ctx = sdkContext(core, manifest, models);

  let stopped: 'cpu' | 'abort' | 'violation' | 'catastrophe' | null = null;
  let catastrophe = '';
  let finished = false;
  const isolate = new ivm.Isolate({
    memoryLimit: memoryMb,
    onCatastrophicError: (message) => {
      catastrophe = message;
      kill('catastrophe');
      options.onCatastrophicError?.(message);
    },
  });
  const kill = (why: NonNullable<typeof stopped>) => {
    stopped ??= why;
    if (!isolate.isDisposed) isolate.dispose();
  };
  const bridge = new Bridge({
    ctx,
    manifest,
    limits,
    fetch: options.fetch ?? pinnedFetch,
    lookup: options.lookup ?? defaultLookup,
    onViolation: () => kill('violation'),
  });
  const onAbort = () => kill('abort');
  core.signal.addEventListener('abort', onAbort, { once: true });
  const cpuLimitNs = BigInt(Math.ceil(cpuTimeMs)) * 1_000_000n;
  const watchdog = setInterval(
    () => {
      if (!isolate.isDisposed && isolate.cpuTime > cpuLimitNs) kill('cpu');
    },
    Math.min(50, Math.max(5, Math.floor(cpuTimeMs / 20))),
  );

  const failure = (error: unknown): AgentFailure => {
    if (bridge.violation !== null) return bridge.violation;
    if (stopped === 'abort' || core.signal.aborted)
      return new AgentFailure('agent_error', 'The run has stopped.');
    const message = messageOf(error, limits.maxErrorChars);
    if (stopped === 'cpu' || /^Script execution timed out/.test(message)) {
      return new AgentFailure(
        'agent_timeout',
        `The agent used more than its CPU time limit of ${cpuTimeMs} ms.`,
      );
    }
    if (stopped === 'catastrophe') {
      return new AgentFailure(
        'agent_violation',
        `The sandbox lost control of the agent's isolate: ${catastrophe}`,
      );
    }
    if (error instanceof AgentFailure) return error;
    if (/memory limit/i.test(message) || (isolate.isDisposed && !finished)) {
      return new AgentFailure(
        'agent_violation',
        `The agent used more than its memory limit of ${memoryMb} MB.`,
      );
    }
    if (error instanceof AgentCodeError) return new AgentFailure('agent_error', message);
    return new AgentFailure('agent_error', `The sandbox could not run the agent: ${message}`);
  };

  try {
    const outcome = await execute(isolate, bundle, bridge, ctx, manifest, cpuTimeMs, limits);
    bridge.close();
    finished = true;
    if (!isolate.isDisposed) isolate.dispose();
    await bridge.drain();
    if (bridge.violation !== null) throw bridge.violation;
    if (stopped !== null) throw failure(null);
    settleOutcome(outcome, bridge, memoryMb, limits);
  } catch (error) {
    bridge.close();
    throw failure(error);
  } finally {
    clearInterval(watchdog);
    core.signal.removeEventListener('abort', onAbort);
    if (!isolate.isDisposed) isolate.dispose();
  }
}

async function execute(
  isolate: ivm.Isolate,
  bundle: string,
  bridge: Bridge,
  ctx: ReturnType<typeof sdkContext>,
  manifest: Manifest,
  cpuTimeMs: number,
  limits: SandboxLimits,
): Promise<unknown> {
  const context = await isolate.createContext();
  const files = Object.entries(ctx.files).flatMap(([field, list]) =>
    list.map((f) => ({ field, id: f.id, name: f.name, mediaType: f.mediaType, size: f.size })),
  );
  const secrets: Record<string, string> = {};
  for (const { name } of manifest.secrets) {
    const value = ctx.secrets[name];
    if (typeof value === 'string') secrets[name] = value;
  }
  const data = {
    runId: ctx.runId,
    input: JSON.parse(JSON.stringify(ctx.input)) as unknown,
    secrets,
    files,
    modelAvailable: ctx.model.available,
    caps: {
      maxArtifactBytes: limits.maxArtifactBytes,
      maxRequestBytes: limits.maxRequestBytes,
      maxLogLines: limits.maxLogLines,
      maxProgressUpdates: limits.maxProgressUpdates,
      maxErrorChars: limits.maxErrorChars,
    },
  };
  const api = (await context.evalClosure(
    BOOTSTRAP,
    [new ivm.Callback(bridge.call), new ivm.ExternalCopy(data).copyInto({ release: true })],
    { result: { reference: true }, filename: 'jeton:bootstrap' },
  )) as ivm.Reference;
  bridge.attach((await api.get('settle', { reference: true })) as ivm.Reference);
  const start = (await api.get('start', { reference: true })) as ivm.Reference;
  api.release();

  let module: ivm.Module;
  try {
    module = await isolate.compileModule(bundle, { filename: 'file:///agent.js' });
  } catch (error) {
    if (isolate.isDisposed) throw error;
    throw new AgentCodeError(
      `The bundle is not a valid JavaScript module: ${messageOf(error, limits.maxErrorChars)}`,
    );
  }
  const imports = module.dependencySpecifiers;
  if (imports.length > 0) {
    const list = imports.map((s) => `"${s.slice(0, 100)}"`).join(', ');
    throw new AgentCodeError(
      `The bundle imports ${list}: a bundle is one self-contained ES module with no imports. Bundle its dependencies into it; the sandbox has no Node.js modules, and ctx is the way to the platform.`,
    );
  }
  await module.instantiate(context, (specifier) => {
    throw new Error(`The bundle cannot import "${specifier}".`);
  });
  try {
    await module.evaluate({ timeout: cpuTimeMs });
  } catch (error) {
    if (isolate.isDisposed || /^Script execution timed out/.test(messageOf(error, 100))) throw error;
    throw new AgentCodeError(
      `The bundle failed while loading: ${explain(messageOf(error, limits.maxErrorChars))}`,
    );
  }
  return start.apply(undefined, [module.namespace.derefInto()], { result: { promise: true, copy: true } });
}

/** Adds a hint to the errors an agent gets when it reaches for what the sandbox does not have. */
function explain(message: string): string {
  const missing = /^(\w+) is not defined$/.exec(message)?.[1];
  if (missing !== undefined && NODE_GLOBALS.has(missing)) {
    return `${message} (the sandbox has no Node.js APIs: reach the platform through ctx)`;
  }
  if (message === 'Not supported') {
    return 'Not supported: dynamic import() is not available in the sandbox; bundle every dependency into the one file';
  }
  return message;
}

function settleOutcome(raw: unknown, bridge: Bridge, memoryMb: number, limits: SandboxLimits): void {
  const outcome = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Outcome> &
    Record<string, unknown>;
  if (outcome.kind === 'done') return;
  if (outcome.kind === 'no_entry') {
    const found =
      typeof outcome.found === 'string' ? outcome.found.slice(0, 100) : 'no usable default export';
    throw new AgentFailure(
      'agent_error',
      `The bundle has ${found}: it must \`export default\` an async function run(ctx, input) or an object with one.`,
    );
  }
  if (outcome.kind === 'thrown') {
    const own = bridge.failure(outcome.failureId);
    if (own !== undefined) throw own;
    const message = typeof outcome.message === 'string' ? outcome.message.slice(0, limits.maxErrorChars) : '';
    const name = typeof outcome.name === 'string' ? outcome.name.slice(0, 50) : '';
    if (name === 'RangeError' && message === 'Array buffer allocation failed') {
      throw new AgentFailure(
        'agent_violation',
        `The agent used more than its memory limit of ${memoryMb} MB.`,
      );
    }
    const text = explain(message) || 'The agent failed.';
    throw new AgentFailure('agent_error', name !== '' && name !== 'Error' ? `${name}: ${text}` : text);
  }
  throw new AgentFailure('agent_error', 'The sandbox could not read how the agent ended.');
}
