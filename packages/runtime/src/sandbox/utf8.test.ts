import fc from 'fast-check';
import ivm from 'isolated-vm';
import { afterAll, describe, expect, it } from 'vitest';
import { UTF8_CODEC } from './bootstrap.ts';

const isolate = new ivm.Isolate({ memoryLimit: 32 });
const context = isolate.createContextSync();
const codec = context.evalClosureSync(`${UTF8_CODEC}\nreturn { utf8Encode, utf8Decode };`, [], {
  result: { reference: true },
}) as ivm.Reference;
const encodeRef = codec.getSync('utf8Encode', { reference: true }) as ivm.Reference;
const decodeRef = codec.getSync('utf8Decode', { reference: true }) as ivm.Reference;
const inIsolate = (ref: ivm.Reference, value: unknown) =>
  ref.applySync(undefined, [value], { arguments: { copy: true }, result: { copy: true } });

afterAll(() => isolate.dispose());

const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const encoder = new TextEncoder();
const mixedBytes = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }).map((s) => encoder.encode(s)),
      fc.uint8Array({ maxLength: 4 }),
    ),
    {
      maxLength: 8,
    },
  )
  .map((parts) => new Uint8Array(parts.flatMap((p) => [...p])));

describe("the isolate's UTF-8 codec", () => {
  it('encodes any string (lone surrogates included) as TextEncoder does', () => {
    fc.assert(
      fc.property(fc.oneof(anyUnits, fc.string({ unit: 'binary' })), (text) => {
        expect([...(inIsolate(encodeRef, text) as Uint8Array)]).toEqual([...encoder.encode(text)]);
      }),
    );
  });

  it('decodes any bytes (invalid sequences, BOM) as TextDecoder does', () => {
    const decoder = new TextDecoder();
    fc.assert(
      fc.property(fc.oneof(mixedBytes, fc.uint8Array({ maxLength: 32 })), (bytes) => {
        expect(inIsolate(decodeRef, bytes)).toBe(decoder.decode(bytes));
      }),
    );
    const long = encoder.encode('é✓😀'.repeat(5000));
    expect(inIsolate(decodeRef, long)).toBe('é✓😀'.repeat(5000));
    expect(inIsolate(decodeRef, new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('A');
  });
});
