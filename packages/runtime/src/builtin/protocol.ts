import type { FailureCode, Manifest } from '@jeton/core';
import type { ModelRequest } from '../sdk/types.ts';

/**
 * The messages between the host and a built-in agent's worker thread. Everything crosses by
 * structured clone (bytes are transferred); host calls answer by `callId`.
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
  | { type: 'abort' };

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
  | { type: 'progress'; percent: number | null; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | ({ type: 'call'; callId: number } & HostCall)
  | { type: 'done' }
  | { type: 'failed'; failure: WireFailure };

/** An error as it crosses the thread boundary: a classified failure keeps its code. */
export interface WireFailure {
  code: FailureCode | null;
  message: string;
}
