import { AgentFailure, type AgentFile } from '@jeton/runtime/sdk';
import { describe, expect, it } from 'vitest';
import { readRecords } from './records.ts';
import type { CsvFormat } from './sniff.ts';
import { expectInvalid, outputs, run } from './test-support.ts';

/** A file streamed in chunks of `size` bytes, so that characters are cut between chunks. */
function chunkedFile(data: Uint8Array, size: number): AgentFile {
  const fail = () => Promise.reject(new Error('read whole'));
  return {
    id: 'f',
    name: 'f.csv',
    mediaType: 'text/csv',
    size: data.length,
    bytes: fail,
    text: fail,
    stream: () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= data.length) {
            controller.close();
            return;
          }
          controller.enqueue(data.slice(at, at + size));
          at += size;
        },
      });
    },
  };
}

const BOM_UTF8: CsvFormat = {
  encoding: 'utf-8',
  bom: true,
  delimiter: ',',
  delimiterDetected: false,
  lineEndings: 'lf',
  sepLineBytes: 0,
};

async function readAll(file: AgentFile) {
  const options = { signal: new AbortController().signal, onBytes: () => {}, checkUtf8: true };
  const lines: number[] = [];
  for await (const r of readRecords(file, BOM_UTF8, options, { blankLines: 0 })) lines.push(r.line);
  return lines;
}

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

describe('invalid UTF-8', () => {
  it('fails a file with a UTF-8 BOM and invalid bytes, naming the line, instead of writing U+FFFD', async () => {
    // Line 4 holds 0xE9 (é in Windows-1252), not UTF-8.
    const csv = bytes([0xef, 0xbb, 0xbf], 'name,city\nAnna,Zürich\r\nBo,Köln\nCé', [0xe9], 'dric,Paris\n');
    await expectInvalid(csv, /UTF-8 byte order mark, but line 4 holds bytes that are not UTF-8/);
  });

  it('names the right line when the bad byte is far past the sniffed sample', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `r${i},ü\n`).join('');
    const csv = bytes([0xef, 0xbb, 0xbf], 'a,b\n', rows, 'x,', [0xff], '\n');
    await expectInvalid(csv, /line 20002 holds bytes/);
  });

  it('still reads a valid BOM file as UTF-8', async () => {
    const { cleaned, cleanedBytes, profile } = outputs(
      await run(bytes([0xef, 0xbb, 0xbf], 'name\nZürich\n')),
    );
    expect(profile.file).toMatchObject({ encoding: 'utf-8', bom: true });
    expect([...cleanedBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(cleaned.replace('\uFEFF', '')).toBe('name\nZürich\n');
  });

  it('still falls back to Windows-1252 for a BOM-less file', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `r${i},x\n`).join('');
    const { cleaned, profile } = outputs(await run(bytes('a,b\n', rows, 'C', [0xe9], 'dric,y\n')));
    expect(profile.file.encoding).toBe('windows-1252');
    expect(cleaned.endsWith('Cédric,y\n')).toBe(true);
  });
});

describe('UTF-8 validation across chunks', () => {
  const data = bytes([0xef, 0xbb, 0xbf], 'a,b\nü,€\n😀,x\n', 'y,', [0xc3], '\n');

  it('accepts characters cut between chunks', async () => {
    const valid = data.slice(0, data.length - 5);
    for (const size of [1, 2, 3, 5]) expect(await readAll(chunkedFile(valid, size))).toEqual([1, 2, 3]);
  });

  it('names the line of a bad byte whatever the chunking', async () => {
    for (const size of [1, 2, 3, 7, 64]) {
      const error = await readAll(chunkedFile(data, size)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentFailure);
      expect((error as AgentFailure).message).toMatch(/line 4 holds bytes/);
    }
  });
});
