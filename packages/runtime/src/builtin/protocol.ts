import { AgentFailure, type FailureCode, type Manifest } from '@jeton/core';
import type { ModelRequest } from '../sdk/types.ts';

/**
 * The messages between the host and a built-in agent's worker thread. Everything crosses by
 * structured clone (bytes are transferred); host calls answer by `callId`. A thread runs many runs one
 * after another: every message of a run carries the run's number in that thread (`run`), so that a
 * call an agent left behind never reaches the next buyer's run.
 */

export interface FileInfo {
  id: string;
  name: string;
  mediaType: string;
  size: number;
}

export type ToThread =
  | {
      type: 'run';
      run: number;
      module: string;
      runId: string;
      input: Record<string, unknown>;
      manifest: Manifest;
      files: Record<string, FileInfo[]>;
      secrets: Record<string, string>;
      modelUnavailable: string | null;
    }
  | { type: 'reply'; callId: number; ok: true; value: unknown }
  | { type: 'reply'; callId: number; ok: false; failure: WireFailure }
  | { type: 'model-text'; callId: number; delta: string }
  | { type: 'abort'; run: number };

export type HostCall =
  | { method: 'artifact-open'; name: string; mediaType: string }
  | { method: 'artifact-chunk'; stream: number; bytes: Uint8Array }
  | { method: 'artifact-close'; stream: number }
  | { method: 'artifact-abort'; stream: number }
  | { method: 'charge'; event: string; quantity: number | undefined }
  | { method: 'ask'; text: string; schema: unknown; options: { timeoutSeconds?: number } | undefined }
  | { method: 'model'; request: Omit<ModelRequest, 'onText'>; streamText: boolean }
  | { method: 'meter'; model: string; inputTokens: number; outputTokens: number; costMicroCredits: bigint }
  | { method: 'file-read'; fileId: string; reader: number };

export type FromThread =
  | { type: 'ready' }
  | { type: 'progress'; run: number; percent: number | null; message: string }
  | { type: 'log'; run: number; level: 'info' | 'warn' | 'error'; message: string }
  | ({ type: 'call'; run: number; callId: number } & HostCall)
  /** `outstanding`: host calls the agent started and did not wait for; such a thread is not reused. */
  | { type: 'done'; run: number; outstanding: number }
  | { type: 'failed'; run: number; outstanding: number; failure: WireFailure };

/** An error as it crosses the thread boundary: a classified failure keeps its code. */
export interface WireFailure {
  code: FailureCode | null;
  message: string;
}

/**
 * An error as it goes on the wire. `unclassified` is the code of an error that is not an
 * `AgentFailure`: null from the thread (the agent's own error: the host decides), `platform_transient`
 * from the host (its own trouble answering a call is never the agent's fault).
 */
export function toWire(error: unknown, unclassified: FailureCode | null): WireFailure {
  if (error instanceof AgentFailure) return { code: error.code, message: error.message };
  return { code: unclassified, message: error instanceof Error ? error.message : String(error) };
}

export function fromWire(f: WireFailure): Error {
  return f.code ? new AgentFailure(f.code, f.message) : new Error(f.message);
}
