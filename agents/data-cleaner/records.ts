import { pipeline, Readable } from 'node:stream';
import type { AgentFile } from '@jeton/runtime/sdk';
import { AgentFailure } from '@jeton/runtime/sdk';
import { CsvError, type Options, Parser } from 'csv-parse';
import { MAX_RECORD_CHARS } from './limits.ts';
import { LineIndex } from './line-index.ts';
import type { CsvFormat } from './sniff.ts';

/** What a pass throws when the run is aborted: the platform's own "stopped" failure. */
export const stopped = () => new AgentFailure('agent_error', 'The run has stopped.');

/** One parsed record and the line it starts on (1-based, counting every physical line of the file). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Filled in once the records are all read. */
export interface ReadStats {
  blankLines: number;
  /** Whether the last byte was a line break (csv-parse counts one more blank line then). */
  endsWithBreak?: boolean;
}

/**
 * Thrown by pass 1 when bytes past the sniffed sample of a BOM-less file are not UTF-8: the file is then
 * read again as Windows-1252 rather than having those bytes silently replaced. (A file with a UTF-8 BOM
 * declares its encoding, so invalid bytes there fail the run as `input_invalid`, naming the line.)
 */
export class NotUtf8Error extends Error {
  constructor(
    /** Where the first invalid byte is, in the bytes the parser reads. */
    readonly offset: number,
  ) {
    super('The file starts as UTF-8 but is not valid UTF-8 further on.');
  }
}

/** How many bytes at the end of `bytes` start a UTF-8 sequence that the next chunk completes. */
function incompleteTail(bytes: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/**
 * The index in `chunk` of the first byte that is not valid UTF-8, `carry` being the incomplete sequence
 * the previous chunk ended with (found by bisection: this runs once, when validation has failed).
 */
function firstInvalid(carry: Uint8Array, chunk: Uint8Array): number {
  const data = new Uint8Array(carry.length + chunk.length);
  data.set(carry);
  data.set(chunk, carry.length);
  const fails = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, n), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  let [lo, hi] = [0, data.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1 - carry.length);
}

interface Parsed {
  fields: string[];
  /** Byte offset just past the record, and blank lines skipped so far, when it was parsed. */
  end: number;
  blanks: number;
}

export interface ReadOptions {
  signal: AbortSignal;
  /** Bytes read so far. */
  onBytes: (read: number) => void;
  /** Fail with NotUtf8Error on bytes that are not UTF-8 (pass 1 of a file judged UTF-8). */
  checkUtf8?: boolean;
}

/**
 * The file's bytes, chunk by chunk as the stream gives them (never the whole file), transcoded to
 * UTF-8 when it is not UTF-8 already, each chunk noted in the line index before the parser sees it.
 */
async function* source(
  file: AgentFile,
  format: CsvFormat,
  index: LineIndex,
  options: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  const decoder = format.encoding === 'utf-8' ? null : new TextDecoder(format.encoding);
  const validator =
    format.encoding === 'utf-8' && options.checkUtf8 ? new TextDecoder('utf-8', { fatal: true }) : null;
  const encoder = new TextEncoder();
  let read = 0;
  let carry = new Uint8Array(0);
  try {
    for (;;) {
      if (options.signal.aborted) throw stopped();
      const { done, value } = await reader.read();
      if (done) break;
      if (validator) {
        try {
          validator.decode(value, { stream: true });
        } catch {
          const bad = firstInvalid(carry, value);
          index.feed(value.subarray(0, bad)); // so that the line of the bad byte can be named
          throw new NotUtf8Error(read + bad);
        }
        const tail = incompleteTail(value);
        carry = tail === 0 ? new Uint8Array(0) : value.slice(value.length - tail);
      }
      read += value.length;
      options.onBytes(read);
      const bytes = decoder ? encoder.encode(decoder.decode(value, { stream: true })) : value;
      if (bytes.length === 0) continue;
      index.feed(bytes);
      stats.endsWithBreak = bytes[bytes.length - 1] === 10 || bytes[bytes.length - 1] === 13;
      yield bytes;
    }
    try {
      validator?.decode();
    } catch {
      throw new NotUtf8Error(read - carry.length);
    }
    const tail = decoder ? encoder.encode(decoder.decode()) : new Uint8Array(0);
    if (tail.length > 0) {
      index.feed(tail);
      stats.endsWithBreak = tail[tail.length - 1] === 10 || tail[tail.length - 1] === 13;
      yield tail;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Records per object through the stream: one object per record would cost more than the parsing. */
const BATCH = 256;

/**
 * csv-parse's stream, with each record stamped with where it ends (read from the parser's live `info`
 * as it is pushed, which is cheaper than its per-record `info` copies) and handed on in batches.
 */
class PositionedParser extends Parser {
  private batch: Parsed[] = [];
  /** The last record parsed, which may be ahead of the one being consumed. */
  last: Pick<Parsed, 'end' | 'blanks'>;

  constructor(options: Options, skippedBytes: number) {
    super(options);
    this.last = { end: skippedBytes, blanks: 0 };
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      if (this.batch.length > 0) super.push(this.batch);
      this.batch = [];
      return super.push(null, encoding);
    }
    const record = { fields: chunk as string[], end: this.info.bytes, blanks: this.info.empty_lines };
    this.last = record;
    this.batch.push(record);
    if (this.batch.length < BATCH) return true;
    const full = this.batch;
    this.batch = [];
    return super.push(full);
  }
}

function failure(error: unknown, line: number): unknown {
  if (!(error instanceof CsvError)) return error;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new AgentFailure(
        'input_invalid',
        `Unbalanced quotes: the record starting at line ${line} opens a quoted field that is never closed before the end of the file. Close it (a quote inside a quoted field is written twice: "").`,
      );
    case 'CSV_MAX_RECORD_SIZE':
      return new AgentFailure(
        'input_invalid',
        `The record starting at line ${line} is longer than ${MAX_RECORD_CHARS / 1024 / 1024} MiB: most likely a quote opened there is never closed, or the delimiter is wrong.`,
      );
    default:
      return new AgentFailure('input_invalid', `The CSV is malformed near line ${line}: ${error.message}`);
  }
}

/**
 * A line of only spaces or tabs (no delimiter) is a blank line, as an empty one is. A line with
 * delimiters (",,") is a row whose values are all missing, and a lone `""` is the empty value a
 * one-column file writes, so both are kept.
 */
function isWhitespaceLine(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0]!.length > 0 && fields[0]!.trim().length === 0;
}

/**
 * Every record of the file, parsed incrementally by csv-parse: quoted fields may hold delimiters,
 * quotes and line breaks; a BOM is skipped; rows may have any number of fields (the caller reports
 * ragged ones); blank lines, and lines of only whitespace, are skipped and counted. Line breaks may be
 * CRLF, LF or CR, mixed. Parse errors become `input_invalid` failures that name the line where the
 * faulty record starts; so do bytes that are not UTF-8 in a file with a UTF-8 BOM.
 */
export async function* readRecords(
  file: AgentFile,
  format: CsvFormat,
  options: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<CsvRecord> {
  const index = new LineIndex();
  const parser = new PositionedParser(
    {
      delimiter: format.delimiter,
      // Every kind of line break, in any mix: left to itself csv-parse fixes the record delimiter from
      // the first record, and a CRLF file with some LF lines would then be read as a few long records.
      record_delimiter: ['\r\n', '\n', '\r'],
      bom: true,
      relax_column_count: true,
      // A stray quote inside an unquoted field (5" pipe) is kept as a character, as spreadsheets do.
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      from_line: format.sepLineBytes > 0 ? 2 : 1,
    },
    format.sepLineBytes,
  );
  pipeline(Readable.from(source(file, format, index, options, stats)), parser, () => {
    // Errors reach the consumer through the parser's iterator.
  });
  let previous = { end: format.sepLineBytes, blanks: 0 };
  let whitespaceLines = 0;
  try {
    for await (const batch of parser as AsyncIterable<Parsed[]>) {
      for (const record of batch) {
        const line = index.lineAt(previous.end) + (record.blanks - previous.blanks);
        previous = record;
        if (isWhitespaceLine(record.fields)) {
          whitespaceLines++;
          continue;
        }
        yield { fields: record.fields, line };
      }
    }
  } catch (error) {
    if (error instanceof NotUtf8Error && format.bom) {
      // The BOM says UTF-8: reading the file as anything else would garble every accented letter.
      throw new AgentFailure(
        'input_invalid',
        `The file starts with a UTF-8 byte order mark, but line ${index.lineAt(error.offset)} holds bytes that are not UTF-8. Save the file again as UTF-8.`,
      );
    }
    const last = parser.last;
    const line = index.lineAt(last.end) + (parser.info.empty_lines - last.blanks);
    throw failure(error, line);
  }
  stats.blankLines = parser.info.empty_lines - (stats.endsWithBreak ? 1 : 0) + whitespaceLines;
}
