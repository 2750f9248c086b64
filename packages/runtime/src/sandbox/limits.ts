/** The sandbox's caps on what crosses the bridge; each is checked on the host, whatever the isolate says. */
export interface SandboxLimits {
  /** The bundle's size in UTF-8 bytes. */
  maxBundleBytes: number;
  /** One artifact's size. */
  maxArtifactBytes: number;
  /** The largest input file `text()`/`bytes()` will read. */
  maxFileBytes: number;
  /** A fetch request's body. */
  maxRequestBytes: number;
  /** A fetch response's body (the read stops there and the call fails). */
  maxResponseBytes: number;
  /** Calls through the bridge in one run (ctx calls, log lines, `signal.aborted` checks); past it, a violation. */
  maxBridgeCalls: number;
  /** Asynchronous ctx calls (artifact, charge, ask, model, fetch, file reads) in flight at once. */
  maxConcurrentCalls: number;
  maxConcurrentFetches: number;
  /** Fetches in one run. */
  maxFetches: number;
  fetchTimeoutMs: number;
  /** Log and progress messages are cut to this length. */
  maxMessageChars: number;
  /** Log lines kept per run; later ones are dropped (one warning says so). */
  maxLogLines: number;
  /** Progress updates kept per run; later ones are dropped. */
  maxProgressUpdates: number;
  /** A model prompt or system message, an ask question. */
  maxPromptChars: number;
  /** A JSON value crossing the bridge (a schema, an answer, a model's object), serialized. */
  maxJsonBytes: number;
  /** An error message crossing the bridge, either way. */
  maxErrorChars: number;
  /**
   * Bytes the host holds for the agent's calls in flight at once (artifacts, request bodies, responses
   * being read, files being read). A call that would pass it while others are in flight is refused
   * (`RangeError`); a call alone is bounded by its own cap. `null`: the isolate's memory limit.
   */
  maxBytesInFlight: number | null;
  /** The shortest `timeoutSeconds` an agent may give `ctx.ask` (shorter is refused). */
  minQuestionSeconds: number;
  /** How long a host name may take to resolve before the fetch fails. */
  lookupTimeoutMs: number;
  /**
   * When the run ends, how long the sandbox waits for host work still in flight (an artifact being
   * stored, a charge) before it returns or throws; fetches and model calls are aborted first.
   */
  drainTimeoutMs: number;
}

export const SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  maxBundleBytes: 10 * 1024 * 1024,
  maxArtifactBytes: 32 * 1024 * 1024,
  maxFileBytes: 32 * 1024 * 1024,
  maxRequestBytes: 8 * 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  maxBridgeCalls: 200_000,
  maxConcurrentCalls: 32,
  maxConcurrentFetches: 8,
  maxFetches: 1000,
  fetchTimeoutMs: 30_000,
  maxMessageChars: 4000,
  maxLogLines: 1000,
  maxProgressUpdates: 1000,
  maxPromptChars: 1_000_000,
  maxJsonBytes: 256 * 1024,
  maxErrorChars: 2000,
  maxBytesInFlight: null,
  minQuestionSeconds: 10,
  lookupTimeoutMs: 5000,
  drainTimeoutMs: 5000,
});

/** JSON crossing the bridge may nest this deep (schemas are refused past 64 levels anyway). */
export const MAX_JSON_DEPTH = 100;
