import { AgentFailure } from '@jeton/runtime/sdk';
import { detectDelimiter } from './delimiter.ts';

/** How the file is written, decided from its first bytes before any parsing. */
export interface CsvFormat {
  encoding: 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
  bom: boolean;
  delimiter: string;
  delimiterDetected: boolean;
  lineEndings: 'lf' | 'crlf' | 'cr' | 'mixed' | 'none';
  /**
   * Bytes (as the parser reads them) of an Excel `sep=;` first line, which names the delimiter and is
   * not data; 0 when there is none.
   */
  sepLineBytes: number;
}

/** The first `max` bytes of a stream (fewer if the file is shorter), then the stream is let go. */
export async function readSample(
  stream: ReadableStream<Uint8Array>,
  max: number,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  let complete = false;
  while (length < max) {
    const { done, value } = await reader.read();
    if (done) {
      complete = true;
      break;
    }
    parts.push(value);
    length += value.length;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes: complete ? bytes : bytes.subarray(0, max), complete };
}

const SIGNATURES: [bytes: number[], what: string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an .xlsx or .ods workbook is one); export the sheet as CSV'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel (.xls) workbook; export the sheet as CSV'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x1f, 0x8b], 'a gzip-compressed file; decompress it first'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
];

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

function notCsv(what: string): AgentFailure {
  return new AgentFailure('input_invalid', `This file is not a CSV: it looks like ${what}.`);
}

/** Control bytes other than tab, line feed, form feed and carriage return: a text file has almost none. */
function controlShare(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13) n++;
  return bytes.length === 0 ? 0 : n / bytes.length;
}

function encodingOf(bytes: Uint8Array): { encoding: CsvFormat['encoding']; bom: boolean } {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bom: true };
  if (startsWith(bytes, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: true };
  if (startsWith(bytes, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: true };
  for (const [signature, what] of SIGNATURES) if (startsWith(bytes, signature)) throw notCsv(what);
  if (bytes.includes(0) || controlShare(bytes) > 0.01)
    throw notCsv('binary data (it has control bytes no text has)');
  try {
    // `stream: true` leaves a character cut by the end of the sample undecoded instead of failing.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return { encoding: 'utf-8', bom: false };
  } catch {
    // Not UTF-8: the usual alternative for CSVs saved by Excel on Windows.
    return { encoding: 'windows-1252', bom: false };
  }
}

function lineEndingsOf(text: string): Pick<CsvFormat, 'lineEndings'> {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  const cr = text.split('\r').length - 1 - crlf;
  if (crlf + lf + cr === 0) return { lineEndings: 'none' };
  if (cr > 0 && crlf + lf === 0) return { lineEndings: 'cr' };
  if (crlf > 0 && lf + cr === 0) return { lineEndings: 'crlf' };
  if (lf > 0 && crlf + cr === 0) return { lineEndings: 'lf' };
  return { lineEndings: 'mixed' };
}

/**
 * Decides the encoding, line endings and delimiter from the start of the file, and refuses what is not
 * a CSV: nothing at all, binary files and known non-CSV formats, JSON and HTML.
 */
export function sniffFormat(
  sample: { bytes: Uint8Array; complete: boolean },
  requestedDelimiter: string,
): CsvFormat {
  if (sample.bytes.length === 0) throw new AgentFailure('input_invalid', 'The CSV file is empty (0 bytes).');
  const { encoding, bom } = encodingOf(sample.bytes);
  const text = new TextDecoder(encoding).decode(sample.bytes, { stream: !sample.complete });
  const start = text.trimStart();
  if (start.length === 0 && sample.complete) {
    throw new AgentFailure('input_invalid', 'The CSV file is empty: it holds only blank lines or spaces.');
  }
  if (/^<(\?xml|!doctype|html)/i.test(start)) throw notCsv('an HTML or XML document');
  if (/^(\{\s*"|\[\s*[{["])/.test(start)) throw notCsv('JSON; convert it to CSV first');
  const requested = requestedDelimiter === 'tab' ? '\t' : requestedDelimiter;
  const delimiterDetected = requested === 'auto';
  const sep = /^sep=([^\r\n])(\r\n|\n|\r)/i.exec(text);
  // The UTF-8 path hands the parser the raw bytes, BOM included; the others, transcoded text without it.
  const sepLineBytes = sep
    ? new TextEncoder().encode(sep[0]).length + (encoding === 'utf-8' && bom ? 3 : 0)
    : 0;
  const detected = sep ? sep[1]! : detectDelimiter(text, sample.complete);
  return {
    encoding,
    bom,
    delimiter: delimiterDetected ? detected : requested,
    delimiterDetected,
    ...lineEndingsOf(text),
    sepLineBytes,
  };
}
