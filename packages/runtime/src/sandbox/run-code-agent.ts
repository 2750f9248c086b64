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
  // Asked at every submission: neither copies nor measures a large bundle when it need not.
  if (typeof bundle !== 'string' || !/\S/.test(bundle)) return 'This agent version has no code bundle.';
  // A UTF-16 unit is at most 3 bytes of UTF-8: a bundle this short is within the limit.
  if (bundle.length * 3 <= SANDBOX_LIMITS.maxBundleBytes) return null;
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

const MIB = 1024 * 1024;

/**
 * The platform context with the sandbox's own signal: aborted when the platform's is, and when the
 * run ends however it ends, so that host work still in flight for it (a fetch, a model call, a call
 * waiting for its turn) stops then.
 */
function withSignal(core: AgentContext, signal: AbortSignal): AgentContext {
  return {
    runId: core.runId,
    input: core.input,
    files: core.files,
    secrets: core.secrets,
    signal,
    progress: (percent, message) => core.progress(percent, message),
    log: (level, message) => core.log(level, message),
    artifact: (name, bytes, mediaType) => core.artifact(name, bytes, mediaType),
    meter: (call) => core.meter(call),
    charge: (event, quantity) => core.charge(event, quantity),
    ask: (text, schema, options) => core.ask(text, schema, options),
  };
}

/**
 * Runs a creator's bundle in a fresh V8 isolate (isolated-vm) with a heap limit and a CPU-time limit,
 * giving it the agent context through a bridge of plain, copied values and nothing else (see the
 * README). Resolves when the agent's `run` resolves; throws an `AgentFailure` otherwise. The isolate is
 * disposed in every case: on return, on failure, on the run's signal (timeout, cancellation), on a
 * violation, past the CPU limit. However the run ends, the bridge stops taking calls, host work in
 * flight is aborted where it can be and awaited (for at most `limits.drainTimeoutMs`) before this
 * returns or throws.
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
  const memoryMb = Math.max(8, Math.floor(options.memoryMb ?? manifest.limits.memoryMb));
  const limits: SandboxLimits = { ...SANDBOX_LIMITS, ...options.limits };
  limits.maxBytesInFlight ??= memoryMb * MIB;
  const cpuTimeMs = Math.max(1, options.cpuTimeMs ?? manifest.limits.timeoutSeconds * 1000);
  const ending = new AbortController();
  const ctx = sdkContext(withSignal(core, AbortSignal.any([core.signal, ending.signal])), manifest, models);

  // Why the sandbox itself disposed the isolate. The code of a failure is decided from this state, never
  // from the text of an error message (the agent can throw any message).
  let stopped: 'cpu' | 'abort' | 'violation' | 'catastrophe' | null = null;
  let catastrophe = '';
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
  const memoryFailure = () =>
    new AgentFailure('agent_violation', `The agent used more than its memory limit of ${memoryMb} MB.`);

  let ended: { ok: true; outcome: unknown } | { ok: false; error: unknown };
  try {
    ended = { ok: true, outcome: await execute(isolate, bundle, bridge, ctx, manifest, limits) };
  } catch (error) {
    ended = { ok: false, error };
  }
  // Read before the sandbox disposes the isolate itself: whether isolated-vm disposed it (only its
  // memory limit does, the sandbox's own reasons are in `stopped`), and how much memory it holds.
  const disposedForMemory = isolate.isDisposed && stopped === null;
  const memoryInUse = heapInUse(isolate);

  let failure: AgentFailure | null;
  try {
    bridge.close();
    clearInterval(watchdog);
    if (!isolate.isDisposed) isolate.dispose();
    ending.abort();
    await bridge.drain(limits.drainTimeoutMs);
  } finally {
    core.signal.removeEventListener('abort', onAbort);
    if (!isolate.isDisposed) isolate.dispose();
  }

  if (bridge.violation !== null) failure = bridge.violation;
  else if (stopped === 'abort' || core.signal.aborted)
    failure = new AgentFailure('agent_error', 'The run has stopped.');
  else if (stopped === 'cpu')
    failure = new AgentFailure(
      'agent_timeout',
      `The agent used more than its CPU time limit of ${cpuTimeMs} ms.`,
    );
  else if (stopped === 'catastrophe')
    failure = new AgentFailure(
      'agent_violation',
      `The sandbox lost control of the agent's isolate: ${catastrophe}`,
    );
  else if (!ended.ok) {
    if (disposedForMemory) failure = memoryFailure();
    else if (ended.error instanceof AgentCodeError)
      failure = new AgentFailure('agent_error', ended.error.message);
    else
      failure = new AgentFailure(
        'agent_error',
        `The sandbox could not run the agent: ${messageOf(ended.error, limits.maxErrorChars)}`,
      );
  } else {
    // A refused ArrayBuffer allocation is a RangeError the agent can also throw itself: it counts as
    // the memory limit only when the isolate does hold most of its memory.
    const nearLimit = memoryInUse !== null && memoryInUse >= (memoryMb * MIB) / 2;
    failure = outcomeFailure(ended.outcome, bridge, limits, nearLimit ? memoryFailure() : null);
  }
  if (failure !== null) throw failure;
}

/** The bytes the isolate holds (heap and ArrayBuffers), or null once it is disposed. */
function heapInUse(isolate: ivm.Isolate): number | null {
  if (isolate.isDisposed) return null;
  try {
    const heap = isolate.getHeapStatisticsSync();
    return heap.used_heap_size + heap.externally_allocated_size;
  } catch {
    return null;
  }
}

async function execute(
  isolate: ivm.Isolate,
  bundle: string,
  bridge: Bridge,
  ctx: ReturnType<typeof sdkContext>,
  manifest: Manifest,
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
      maxJsonBytes: limits.maxJsonBytes,
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
  // No isolated-vm `timeout` here: the watchdog stops top-level code past the CPU limit too, and says so
  // in `stopped` (a timeout would only be known by its message, which the agent can throw itself).
  try {
    await module.evaluate();
  } catch (error) {
    if (isolate.isDisposed) throw error;
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
  if (missing === 'Intl') {
    return `${message} (the sandbox has no Intl: its formatters' memory is outside the agent's memory limit; Date, toLocaleString and localeCompare still work)`;
  }
  if (message === 'Not supported') {
    return 'Not supported: dynamic import() is not available in the sandbox; bundle every dependency into the one file';
  }
  return message;
}

/** The failure behind what the isolate's `start` reported (a copy, checked field by field), or null. */
function outcomeFailure(
  raw: unknown,
  bridge: Bridge,
  limits: SandboxLimits,
  memory: AgentFailure | null,
): AgentFailure | null {
  const outcome = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Outcome> &
    Record<string, unknown>;
  if (outcome.kind === 'done') return null;
  if (outcome.kind === 'no_entry') {
    const found =
      typeof outcome.found === 'string' ? outcome.found.slice(0, 100) : 'no usable default export';
    return new AgentFailure(
      'agent_error',
      `The bundle has ${found}: it must \`export default\` an async function run(ctx, input) or an object with one.`,
    );
  }
  if (outcome.kind === 'thrown') {
    const own = bridge.failure(outcome.failureId);
    if (own !== undefined) return own;
    const message = typeof outcome.message === 'string' ? outcome.message.slice(0, limits.maxErrorChars) : '';
    const name = typeof outcome.name === 'string' ? outcome.name.slice(0, 50) : '';
    if (memory !== null && name === 'RangeError' && message === 'Array buffer allocation failed')
      return memory;
    const text = explain(message) || 'The agent failed.';
    return new AgentFailure('agent_error', name !== '' && name !== 'Error' ? `${name}: ${text}` : text);
  }
  return new AgentFailure('agent_error', 'The sandbox could not read how the agent ended.');
}
