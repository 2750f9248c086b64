/** Helpers shared by the data cleaner's test files. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AgentCtx,
  type AgentFile,
  type ArtifactData,
  type LocalRunResult,
  type ModelAccess,
  testAgent,
} from '@jeton/runtime/sdk';
import { expect } from 'vitest';
import agent, { type Input } from './agent.ts';
import type { ColumnProfile } from './column-profile.ts';
import type { ProfileDocument } from './profile-json.ts';

export const here = dirname(fileURLToPath(import.meta.url));
export const fixture = (name: string) => new Uint8Array(readFileSync(join(here, 'fixtures', name)));

export async function run(
  bytes: Uint8Array | string,
  input: Partial<Input> = {},
  extra: { name?: string; models?: ModelAccess } = {},
): Promise<LocalRunResult> {
  return testAgent(agent, {
    input,
    files: [{ field: 'csv', name: extra.name ?? 'data.csv', mediaType: 'text/csv', bytes }],
    ...(extra.models ? { models: extra.models } : {}),
  });
}

export function outputs(result: LocalRunResult) {
  expect(result.failure).toBeNull();
  expect(result.status).toBe('succeeded');
  const profile = JSON.parse(result.artifacts.get('profile.json')!.text()) as ProfileDocument;
  const cleaned = result.artifacts.get('cleaned.csv')!;
  return {
    profile,
    cleaned: cleaned.text(),
    cleanedBytes: cleaned.bytes,
    report: result.artifacts.get('report.md')!.text(),
    column: (name: string) =>
      profile.columns.find((c) => c.name === name) as ColumnProfile & {
        changes: ProfileDocument['columns'][number]['changes'];
      },
  };
}

export async function expectInvalid(bytes: Uint8Array | string, message: RegExp) {
  const result = await run(bytes);
  expect(result.status).toBe('failed');
  expect(result.failure?.code).toBe('input_invalid');
  expect(result.failure?.message).toMatch(message);
  expect(result.artifacts.size).toBe(0);
}

/** A ctx around a file that only streams: `bytes()` and `text()` fail, so reading it whole would fail the run. */
export function streamingCtx(
  file: AgentFile,
  signal: AbortSignal,
  onProgress: (percent: number | null) => void = () => {},
) {
  const artifacts = new Map<
    string,
    { bytes: number; lines: number; largestChunk: number; head: string; text: string }
  >();
  const ctx: AgentCtx<Input> = {
    runId: 'run_stream',
    input: { csv: [file.id], delimiter: 'auto', dropDuplicates: true, trimWhitespace: true },
    signal,
    files: { csv: [file] },
    secrets: {},
    model: Object.assign(async () => Promise.reject(new Error('no model')), { available: false }),
    progress: (percent) => onProgress(percent),
    log: () => {},
    artifact: async (name: string, data: ArtifactData) => {
      // The cleaned CSV is only measured; the profile and the report are small and kept whole.
      const stats = { bytes: 0, lines: 0, largestChunk: 0, head: '', text: '' };
      const chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> =
        typeof data === 'string' || data instanceof Uint8Array
          ? [data]
          : data instanceof ReadableStream
            ? (data as unknown as AsyncIterable<Uint8Array>)
            : data;
      for await (const chunk of chunks) {
        const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
        stats.bytes += bytes.length;
        stats.largestChunk = Math.max(stats.largestChunk, bytes.length);
        for (const b of bytes) if (b === 10) stats.lines++;
        if (stats.head.length < 4096) stats.head += new TextDecoder().decode(bytes.subarray(0, 4096));
        if (name !== 'cleaned.csv') stats.text += new TextDecoder().decode(bytes);
      }
      artifacts.set(name, stats);
    },
    charge: async () => {},
    ask: async () => Promise.reject(new Error('no questions')),
  };
  return { ctx, artifacts };
}

export function streamedFile(chunks: () => Iterable<Uint8Array>): AgentFile {
  let size = 0;
  for (const c of chunks()) size += c.length;
  return {
    id: 'file_stream',
    name: 'big.csv',
    mediaType: 'text/csv',
    size,
    bytes: () => Promise.reject(new Error('bytes() read the whole file')),
    text: () => Promise.reject(new Error('text() read the whole file')),
    stream: () => {
      const source = chunks()[Symbol.iterator]();
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = source.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
      });
    },
  };
}

const CITIES = ['Paris', 'Lyon', 'Berlin', 'Madrid', 'New York', 'Oslo'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/** About 30 MB of orders, built 64 KB at a time: a duplicate every 100 rows, "NA" every 1000, one outlier. */
export function* ordersCsv(rows: number): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  let buffer = 'id,customer,city,amount,ordered_on,paid,note\n';
  for (let i = 0; i < rows; i++) {
    const amount =
      i === 123_456 ? '999999999' : i % 1000 === 7 ? 'NA' : (((i * 7919) % 100_000) / 100).toFixed(2);
    const line = `${i},customer ${i % 5000},${CITIES[i % 6]},${amount},2024-${pad2((i % 12) + 1)}-${pad2((i % 28) + 1)},${i % 3 === 0 ? 'yes' : 'no'},"note, with ""quotes"" ${i % 97}"\n`;
    buffer += line;
    if (i % 100 === 50) buffer += line;
    if (buffer.length >= 65_536) {
      yield encoder.encode(buffer);
      buffer = '';
    }
  }
  yield encoder.encode(buffer);
}
