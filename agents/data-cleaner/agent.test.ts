import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AgentCtx,
  AgentFailure,
  type AgentFile,
  type ArtifactData,
  type LocalRunResult,
  type ModelAccess,
  type ModelRequest,
  testAgent,
} from '@jeton/runtime/sdk';
import { describe, expect, it } from 'vitest';
import { readEvalCases, runEvalCase } from '../evals.ts';
import agent, { type Input } from './agent.ts';
import type { ColumnProfile } from './column-profile.ts';
import { detectDelimiter } from './delimiter.ts';
import { DistinctCounter } from './distinct.ts';
import type { ProfileDocument } from './profile-json.ts';
import { parseDate, valueKind } from './values.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(join(here, 'fixtures', name)));

async function run(
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

function outputs(result: LocalRunResult) {
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

async function expectInvalid(bytes: Uint8Array | string, message: RegExp) {
  const result = await run(bytes);
  expect(result.status).toBe('failed');
  expect(result.failure?.code).toBe('input_invalid');
  expect(result.failure?.message).toMatch(message);
  expect(result.artifacts.size).toBe(0);
}

describe('profiling and cleaning real CSVs', () => {
  it('handles quoted commas, doubled quotes, a line break in a field, missing spellings, a duplicate and an outlier', async () => {
    const { profile, cleaned, report, column } = outputs(
      await run(fixture('customers.csv'), {}, { name: 'customers.csv' }),
    );
    expect(profile.file).toMatchObject({
      delimiter: ',',
      delimiterDetected: true,
      encoding: 'utf-8',
      bom: false,
    });
    expect(profile.file.lineEndings).toBe('lf');
    expect(profile.rows).toMatchObject({ data: 9, headerLine: 1, blankLinesSkipped: 0, allMissing: 0 });
    expect(profile.rows.duplicates).toEqual({ count: 1, lines: [8], complete: true, untracked: 0 });
    expect(profile.rows.ragged.count).toBe(0);
    expect(Object.fromEntries(profile.columns.map((c) => [c.name, c.type]))).toEqual({
      id: 'integer',
      name: 'text',
      email: 'text',
      age: 'integer',
      balance: 'number',
      signup: 'date',
      active: 'boolean',
    });

    const age = column('age');
    expect(age.missing).toEqual({ total: 2, empty: 0, whitespace: 0, tokens: { NA: 1, '-': 1 }, absent: 0 });
    expect(age.numeric).toMatchObject({ count: 7, min: 29, max: 45, mean: 36, quartilesExact: true });
    expect(age.numeric!.std).toBeCloseTo(Math.sqrt(32), 12);
    expect(age.distinct).toEqual({ count: 6, exact: true });
    // Seven values: too few for quartiles to say anything (eight at least).
    expect(age.outliers).toBeNull();

    const balance = column('balance');
    expect(balance.missing).toMatchObject({ total: 1, whitespace: 1 });
    expect(balance.numeric).toMatchObject({ count: 8, min: 850, max: 999999, q1: 1005.0625, q3: 1200.5 });
    expect(balance.outliers).toEqual({
      rule: { kind: 'iqr', factor: 3, lower: 418.75, upper: 1786.8125 },
      count: 1,
      examples: [{ line: 10, value: '999999.00' }],
    });

    expect(column('signup').dates).toEqual({
      formats: { 'YYYY-MM-DD': 8 },
      order: null,
      min: '2024-01-15',
      max: '2024-04-15',
    });
    expect(column('signup').missing.tokens).toEqual({ 'N/A': 1 });
    expect(column('active').boolean).toEqual({ true: 5, false: 3 });
    expect(column('active').missing.tokens).toEqual({ null: 1 });
    const name = column('name');
    expect(name.distinct).toEqual({ count: 8, exact: true });
    expect(name.examples).toEqual(['Smith, John', 'O"Brien, Pat', 'Alice', 'Line\nBreak', 'Bob']);
    expect(name.text).toEqual({ minLength: 3, maxLength: 12 });

    expect(cleaned).toBe(
      [
        'id,name,email,age,balance,signup,active',
        '1,"Smith, John",john@example.com,34,1200.50,2024-01-15,yes',
        '2,"O""Brien, Pat",pat@example.com,,850.00,2024-02-01,no',
        '3,Alice,alice@example.com,29,,2024-02-10,yes',
        '4,"Line\nBreak",lb@example.com,41,990.25,2024-03-05,no',
        '5,Bob,bob@example.com,38,1100.00,,yes',
        '6,Carla,carla@example.com,,1050.75,2024-03-20,',
        '7,Dan,dan@example.com,45,999999.00,2024-04-01,yes',
        '8,Eve,eve@example.com,31,1010.00,2024-04-15,no',
        '',
      ].join('\n'),
    );
    expect(Object.fromEntries(profile.columns.map((c) => [c.name, c.changes.missingToEmpty]))).toEqual({
      id: 0,
      name: 0,
      email: 0,
      age: 2,
      balance: 1,
      signup: 1,
      active: 1,
    });
    expect(name.changes).toEqual({ trimmed: 1, missingToEmpty: 0, lineBreaks: 0, padded: 0 });
    expect(profile.cleaning).toMatchObject({
      rowsWritten: 8,
      duplicatesDropped: 1,
      lineEndingsConverted: false,
    });

    expect(report).toContain('**Duplicate rows: 1** (dropped): line 8.');
    expect(report).toContain('**Outliers in `balance`: 1**, outside [418.75, 1786.8125]');
    expect(report).toContain('999999.00 (line 10)');
    expect(report).toContain('| Missing values (whitespace, NA, NULL, …) written as empty | 5 |');
    expect(report).not.toContain('## In short');
  });

  it('detects semicolons in a CRLF file with a BOM, reads decimal commas, keeps the BOM and writes \\n', async () => {
    const input =
      '\uFEFFregion;product;units;price;date\r\n' +
      'Nord;Café crème;12;2,50;03.01.2024\r\n' +
      'Sud;"Thé; vert";8;3,10;04.01.2024\r\n' +
      'Est;Chocolat;;2,80;05.01.2024\r\n' +
      'Ouest;Croissant;20;1,20;06.01.2024\r\n' +
      'Nord;Café crème;12;2,50;03.01.2024\r\n';
    const { profile, cleaned, cleanedBytes, report, column } = outputs(await run(input));
    expect(profile.file).toMatchObject({
      delimiter: ';',
      delimiterDetected: true,
      bom: true,
      lineEndings: 'crlf',
    });
    expect(profile.rows.data).toBe(5);
    expect(profile.rows.duplicates.lines).toEqual([6]);
    expect(profile.columns.map((c) => c.name)).toEqual(['region', 'product', 'units', 'price', 'date']);
    expect(column('price').type).toBe('number');
    expect(column('price').numeric).toMatchObject({ count: 5, min: 1.2, max: 3.1 });
    expect(column('price').numeric!.mean).toBeCloseTo(2.42, 12);
    // Eight values at least are needed before quartiles say anything.
    expect(column('price').outliers).toBeNull();
    expect(column('units')).toMatchObject({ type: 'integer', present: 4, missing: { total: 1, empty: 1 } });
    expect(column('date').dates).toEqual({
      formats: { 'DD.MM.YYYY': 5 },
      order: null,
      min: '2024-01-03',
      max: '2024-01-06',
    });
    expect([...cleanedBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(cleaned).toBe(
      'region;product;units;price;date\n' +
        'Nord;Café crème;12;2,50;03.01.2024\n' +
        'Sud;"Thé; vert";8;3,10;04.01.2024\n' +
        'Est;Chocolat;;2,80;05.01.2024\n' +
        'Ouest;Croissant;20;1,20;06.01.2024\n',
    );
    expect(profile.cleaning.lineEndingsConverted).toBe(true);
    expect(report).toContain('| Line endings converted (crlf) to \\n | all |');
  });

  it('detects tabs, reports ragged rows by line, moves extra values into a named column and skips a blank line', async () => {
    const { profile, cleaned, report, column } = outputs(
      await run(fixture('inventory.tsv'), {}, { name: 'inventory.tsv' }),
    );
    expect(profile.file.delimiter).toBe('tab');
    expect(profile.rows).toMatchObject({ data: 4, blankLinesSkipped: 1 });
    expect(profile.rows.ragged).toEqual({
      count: 2,
      short: 1,
      long: 1,
      examples: [
        { line: 3, fields: 2 },
        { line: 4, fields: 4 },
      ],
    });
    expect(profile.header.renamed).toEqual([{ index: 3, from: '', to: 'extra_1' }]);
    expect(column('extra_1')).toMatchObject({
      present: 1,
      missing: { total: 3, absent: 3 },
      examples: ['extra'],
    });
    expect(column('note').missing).toEqual({ total: 2, empty: 1, whitespace: 0, tokens: {}, absent: 1 });
    expect(column('qty').numeric).toMatchObject({ count: 3, min: 5, max: 9, mean: 7, std: 2 });
    expect(cleaned).toBe('sku\tqty\tnote\textra_1\nA1\t5\tok\t\nA2\t7\t\t\nA3\t9\tfine\textra\nA4\t\t\t\n');
    expect(profile.cleaning).toMatchObject({ shortRowsPadded: 1, rowsIntoExtraColumns: 1, extraColumns: 1 });
    expect(report).toContain(
      '**Ragged rows: 2** (1 short, 1 long; the header has 3 fields): line 3 has 2, line 4 has 4.',
    );
    expect(report).toContain('| Blank lines removed | 1 |');
  });

  it('counts lines right past CRLF line breaks inside quoted fields, and normalises them', async () => {
    const input =
      'id,comment\r\n1,"first\r\nsecond"\r\n2,plain\r\n1,"first\r\nsecond"\r\n3,"a ""quoted"" word"\r\n4,\r\n5,x\r\n6,y\r\n7,z\r\n';
    const { profile, cleaned, column } = outputs(await run(input));
    expect(profile.rows.duplicates.lines).toEqual([5]);
    expect(cleaned).toBe(
      'id,comment\n1,"first\nsecond"\n2,plain\n3,"a ""quoted"" word"\n4,\n5,x\n6,y\n7,z\n',
    );
    expect(column('comment').changes.lineBreaks).toBe(1);
    expect(column('comment').examples).toContain('a "quoted" word');
  });

  it('keeps duplicates and surrounding spaces when asked to, and drops them by default', async () => {
    const input = 'a,b\n 1 ,x\n1,x\n 1 ,x\n  ,NA\n';
    const kept = outputs(await run(input, { dropDuplicates: false, trimWhitespace: false }));
    expect(kept.cleaned).toBe('a,b\n 1 ,x\n1,x\n 1 ,x\n,\n');
    expect(kept.profile.rows.duplicates).toMatchObject({ count: 1, lines: [4] });
    expect(kept.profile.cleaning).toMatchObject({ rowsWritten: 4, duplicatesDropped: 0 });
    expect(kept.report).toContain('**Duplicate rows: 1** (kept, as asked): line 4.');
    expect(kept.column('a').changes).toMatchObject({ trimmed: 0, missingToEmpty: 1 });

    const dropped = outputs(await run(input));
    expect(dropped.cleaned).toBe('a,b\n1,x\n,\n');
    expect(dropped.profile.rows.duplicates).toMatchObject({ count: 2, lines: [3, 4] });
    expect(dropped.profile.rows.allMissing).toBe(1);
    expect(dropped.column('a').changes).toMatchObject({ trimmed: 1, missingToEmpty: 1 });
  });

  it('reads Windows-1252 and UTF-16 files and writes UTF-8', async () => {
    const latin1 = new Uint8Array([
      ...Buffer.from('name,city\nJos'),
      0xe9,
      ...Buffer.from(',Montr'),
      0xe9,
      ...Buffer.from('al\n'),
    ]);
    const a = outputs(await run(latin1));
    expect(a.profile.file.encoding).toBe('windows-1252');
    expect(a.cleaned).toBe('name,city\nJosé,Montréal\n');
    expect(a.report).toContain('Text converted from windows-1252 to UTF-8');

    const text = 'name\tprice\r\nÉclair\t2,5\r\nTarte\t3\r\n';
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    const b = outputs(await run(utf16));
    expect(b.profile.file).toMatchObject({
      encoding: 'utf-16le',
      bom: true,
      delimiter: 'tab',
      lineEndings: 'crlf',
    });
    expect([...b.cleanedBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(b.cleaned).toBe('name\tprice\nÉclair\t2,5\nTarte\t3\n');
    expect(b.column('price').numeric).toMatchObject({ min: 2.5, max: 3 });
  });

  it('rereads as Windows-1252 a file whose first non-UTF-8 byte comes after the sniffed start', async () => {
    const ascii = Buffer.from(`name,city\n${'Ann,Oslo\n'.repeat(10_000)}`);
    const bytes = new Uint8Array([
      ...ascii,
      ...Buffer.from('Jos'),
      0xe9,
      ...Buffer.from(',Montr'),
      0xe9,
      ...Buffer.from('al\n'),
    ]);
    const result = await run(bytes);
    const { profile, cleaned } = outputs(result);
    expect(profile.file.encoding).toBe('windows-1252');
    expect(cleaned.endsWith('Ann,Oslo\nJosé,Montréal\n')).toBe(true);
    expect(cleaned).not.toContain('\uFFFD');
    expect(profile.rows).toMatchObject({ data: 10_001, duplicates: { count: 9_999 } });
    expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('Windows-1252'))).toBe(true);
  });

  it('keeps an empty value of a one-column file (written "" so it is not read back as a blank line)', async () => {
    const { profile, cleaned, column } = outputs(await run('value\n1\n""\n\n2\n'));
    expect(cleaned).toBe('value\n1\n""\n2\n');
    expect(profile.rows).toMatchObject({ data: 3, blankLinesSkipped: 1 });
    expect(column('value')).toMatchObject({ type: 'integer', present: 2, missing: { empty: 1 } });
  });

  it('uses a delimiter given explicitly instead of detecting one', async () => {
    const { profile, cleaned } = outputs(await run('a|b;c\n1|2;3\n', { delimiter: ';' }));
    expect(profile.file).toMatchObject({ delimiter: ';', delimiterDetected: false });
    expect(profile.columns.map((c) => c.name)).toEqual(['a|b', 'c']);
    expect(cleaned).toBe('a|b;c\n1|2;3\n');
  });

  it('reads the delimiter from an Excel "sep=" first line and does not write that line back', async () => {
    const { profile, cleaned, report } = outputs(
      await run('\uFEFFsep=;\r\nname;age\r\nAnn;31\r\nAnn;31\r\n'),
    );
    expect(profile.file).toMatchObject({ delimiter: ';', delimiterDetected: true, bom: true });
    expect(profile.rows).toMatchObject({ data: 2, headerLine: 2 });
    expect(profile.rows.duplicates.lines).toEqual([4]);
    expect(cleaned).toBe('name;age\nAnn;31\n');
    expect(report).toContain('Excel "sep=" first line removed');
  });

  it('types codes with leading zeros as text, lists odd values, and leaves ambiguous dates undecided', async () => {
    const rows = ['zip,visit,score,paid'];
    for (let i = 0; i < 10; i++) {
      rows.push(
        `${i === 0 ? '02134' : 10000 + i},0${(i % 9) + 1}/0${(i % 9) + 1}/2024,${i === 4 ? 'unknown' : 10 + i},${i % 2 ? 'Y' : 'N'}`,
      );
    }
    const { column, report } = outputs(await run(`${rows.join('\n')}\n`));
    expect(column('zip')).toMatchObject({
      type: 'text',
      nonconforming: { dominant: 'number', count: 1, examples: ['02134'] },
    });
    expect(column('score').nonconforming).toEqual({ dominant: 'number', count: 1, examples: ['unknown'] });
    expect(column('score').numeric).toBeNull();
    expect(column('visit').dates).toMatchObject({ order: 'ambiguous', min: null, max: null });
    expect(column('paid')).toMatchObject({ type: 'boolean', boolean: { true: 5, false: 5 } });
    expect(report).toContain('`score` is mostly number but 1 value is not ("unknown"), so it is typed text.');

    const dayFirst = outputs(await run('when\n03/04/2024\n25/12/2024\n01/01/2023\n'));
    expect(dayFirst.column('when').dates).toEqual({
      formats: { 'D/M/Y or M/D/Y': 3 },
      order: 'day-first',
      min: '2023-01-01',
      max: '2024-12-25',
    });
  });
});

describe('input the agent refuses', () => {
  it('fails with input_invalid and a message the buyer can act on', async () => {
    await expectInvalid('', /empty \(0 bytes\)/);
    await expectInvalid('\n  \n', /only blank lines or spaces/);
    await expectInvalid('name,age\n', /header row \(line 1\) but no data rows/);
    await expectInvalid(
      '1,2,3\n4,5,6\n',
      /first row \(line 1\) holds only numbers or dates \("1", "2", "3"\).*Add a header row/,
    );
    await expectInvalid(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      /not a CSV: it looks like a PNG image/,
    );
    await expectInvalid(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), /ZIP archive \(an \.xlsx/);
    await expectInvalid(new Uint8Array([65, 66, 0, 1, 2, 67, 10, 0, 0, 3]), /binary data/);
    await expectInvalid('<!DOCTYPE html><html></html>', /HTML or XML/);
    await expectInvalid('[{"a": 1}]', /JSON/);
  });

  it('names the line where an unbalanced quote opens', async () => {
    await expectInvalid(
      'name,comment\n1,ok\n2,"never closed\n3,more\n',
      /Unbalanced quotes: the record starting at line 3/,
    );
    // Lines stay right past a CRLF inside a quoted field and a blank line.
    await expectInvalid('a,b\r\n1,"x\r\ny"\r\n\r\n3,"oops\r\n4,5\r\n', /record starting at line 5/);
  });
});

describe('the model summary (optional)', () => {
  it('adds a plain-language summary written from figures only, no cell values', async () => {
    const requests: ModelRequest[] = [];
    const models: ModelAccess = {
      unavailable: null,
      generate: async (request) => {
        requests.push(request);
        return {
          text: 'Customer records, mostly complete; one duplicate and one suspicious balance.',
          model: 'test/fake',
          usage: { inputTokens: 1, outputTokens: 1 },
          costMicroCredits: 0n,
        };
      },
    };
    const result = await run(fixture('customers.csv'), {}, { models });
    const { report } = outputs(result);
    expect(report).toContain(
      '## In short\n\nCustomer records, mostly complete; one duplicate and one suspicious balance.',
    );
    expect(report).toContain('_Written by test/fake');
    expect(requests).toHaveLength(1);
    const prompt = requests[0]!.prompt;
    expect(prompt).toContain('"name":"balance"');
    expect(prompt).toContain('"duplicateRows":1');
    for (const value of ['john@example.com', 'Smith', '999999']) expect(prompt).not.toContain(value);
    expect(result.modelCalls).toHaveLength(1);
  });

  it('still succeeds, without the summary, when the model fails', async () => {
    const models: ModelAccess = {
      unavailable: null,
      generate: async () => {
        throw new AgentFailure('provider_transient', 'The provider is overloaded.');
      },
    };
    const result = await run(fixture('customers.csv'), {}, { models });
    const { report, cleaned } = outputs(result);
    expect(report).not.toContain('## In short');
    expect(report).toContain('**Duplicate rows: 1**');
    expect(cleaned).toContain('\n8,Eve,eve@example.com,31,1010.00,2024-04-15,no\n');
    expect(result.logs).toContainEqual({
      level: 'warn',
      message: 'No model summary: The provider is overloaded.',
    });
  });
});

/** A ctx around a file that only streams: `bytes()` and `text()` fail, so reading it whole would fail the run. */
function streamingCtx(
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

function streamedFile(chunks: () => Iterable<Uint8Array>): AgentFile {
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
function* ordersCsv(rows: number): Generator<Uint8Array> {
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

describe('large files are streamed, never read whole', () => {
  it('profiles and cleans a generated ~30 MB file through stream() alone', async () => {
    const rows = 400_000;
    const file = streamedFile(() => ordersCsv(rows));
    expect(file.size).toBeGreaterThan(30_000_000);
    const { ctx, artifacts } = streamingCtx(file, new AbortController().signal);
    await agent.run(ctx, ctx.input);

    const cleaned = artifacts.get('cleaned.csv')!;
    // Header + every row but the 4,000 duplicates; written in chunks, not as one block.
    expect(cleaned.lines).toBe(rows + 1);
    expect(cleaned.largestChunk).toBeLessThan(1024 * 1024);
    expect(cleaned.head.split('\n').slice(0, 2)).toEqual([
      'id,customer,city,amount,ordered_on,paid,note',
      '0,customer 0,Paris,0.00,2024-01-01,yes,"note, with ""quotes"" 0"',
    ]);

    const profile = JSON.parse(artifacts.get('profile.json')!.text) as ProfileDocument;
    expect(profile.file.bytes).toBe(file.size);
    expect(profile.rows.data).toBe(rows + 4000);
    expect(profile.rows.duplicates).toMatchObject({ count: 4000, complete: true });
    const amount = profile.columns.find((c) => c.name === 'amount')!;
    expect(amount.missing.tokens).toEqual({ NA: 400 });
    // Row 123,456 comes after 1,235 duplicates, below the header: line 124,693.
    expect(amount.outliers).toMatchObject({ count: 1, examples: [{ line: 124_693, value: '999999999' }] });
    expect(amount.numeric?.quartilesExact).toBe(false);
    expect(artifacts.get('report.md')!.text).toContain('**Duplicate rows: 4,000** (dropped)');
  }, 60_000);

  it('gives the same counts through the platform runner', async () => {
    const rows = 20_000;
    const parts = [...ordersCsv(rows)];
    const bytes = new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
    const { profile, column } = outputs(await run(bytes));
    const duplicates = rows / 100;
    expect(profile.rows.data).toBe(rows + duplicates);
    expect(profile.rows.duplicates).toMatchObject({ count: duplicates, complete: true });
    expect(profile.rows.duplicates.lines.slice(0, 3)).toEqual([53, 154, 255]);
    const amount = column('amount');
    expect(amount.type).toBe('number');
    expect(amount.missing.tokens).toEqual({ NA: rows / 1000 });
    expect(amount.outliers?.count).toBe(0);
    expect(column('customer').distinct).toEqual({ count: 5000, exact: true });
    expect(column('city').distinct).toEqual({ count: 6, exact: true });
    // 20,000 ids: past the exact cap of 10,000, so estimated, within HyperLogLog's error.
    expect(column('id').distinct.exact).toBe(false);
    expect(Math.abs(column('id').distinct.count - rows) / rows).toBeLessThan(0.05);
    let yes = 0;
    for (let i = 0; i < rows; i++) if (i % 3 === 0) yes += i % 100 === 50 ? 2 : 1;
    expect(column('paid').boolean).toEqual({ true: yes, false: rows + duplicates - yes });
    expect(profile.cleaning).toMatchObject({ rowsWritten: rows, duplicatesDropped: duplicates });
  });
});

describe('cancellation', () => {
  it('stops reading when the run is aborted mid-file', async () => {
    const controller = new AbortController();
    const seen: (number | null)[] = [];
    const file = streamedFile(() => ordersCsv(60_000));
    const { ctx, artifacts } = streamingCtx(file, controller.signal, (percent) => {
      seen.push(percent);
      if (percent !== null && percent >= 10) controller.abort('cancel');
    });
    await expect(agent.run(ctx, ctx.input)).rejects.toThrow('The run was stopped.');
    expect(Math.max(...seen.map(Number))).toBeLessThan(48);
    expect(artifacts.size).toBe(0);
  });

  it('ends as cancelled under the platform runner', async () => {
    const controller = new AbortController();
    const pending = testAgent(agent, {
      files: [{ field: 'csv', name: 'c.csv', mediaType: 'text/csv', bytes: fixture('orders.csv') }],
      signal: controller.signal,
    });
    controller.abort();
    const result = await pending;
    expect(result.status).toBe('cancelled');
    expect(result.artifacts.size).toBe(0);
  });
});

describe('the rules behind the profile', () => {
  it('detects delimiters from a sample, quote-aware', () => {
    expect(detectDelimiter('a;b;c\nx;1,5;2,5\ny;3,5;4,5\n', true)).toBe(';');
    expect(detectDelimiter('name,note\nAnn,"a; b; c"\nBo,"d;e"\n', true)).toBe(',');
    expect(detectDelimiter('a\tb\n"x\ty"\t2\n', true)).toBe('\t');
    expect(detectDelimiter('a|b|c\n1|2|3\n', true)).toBe('|');
    expect(detectDelimiter('single\nvalue\n', true)).toBe(',');
  });

  it('recognises only real calendar dates and plain numbers', () => {
    expect(parseDate('2024-02-29')?.iso).toBe('2024-02-29');
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('2024-13-01')).toBeNull();
    expect(parseDate('2024-05-06T07:08:09.123+02:00')?.iso).toBe('2024-05-06T07:08:09');
    expect(parseDate('31/12/2024')).toMatchObject({ dayFirst: '2024-12-31', monthFirst: null });
    expect(valueKind('007', false)).toBe('text');
    expect(valueKind('-12', false)).toBe('integer');
    expect(valueKind('1e3', false)).toBe('number');
    expect(valueKind('1e999', false)).toBe('text');
    expect(valueKind('12,5', true)).toBe('number');
    expect(valueKind('12,5', false)).toBe('text');
    expect(valueKind('$12', false)).toBe('text');
    expect(valueKind('Yes', false)).toBe('boolean');
  });

  it('counts distinct values exactly up to the cap, then estimates', () => {
    const small = new DistinctCounter(100);
    for (let i = 0; i < 250; i++) small.add(`v${i % 80}`);
    expect(small.result()).toEqual({ count: 80, exact: true });
    const large = new DistinctCounter(100);
    for (let i = 0; i < 100_000; i++) large.add(`value-${i}`);
    const { count, exact } = large.result();
    expect(exact).toBe(false);
    expect(Math.abs(count - 100_000) / 100_000).toBeLessThan(0.05);
  });
});

describe('evals.json', () => {
  it('passes every eval case', async () => {
    const cases = readEvalCases(here);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const c of cases) {
      const outcome = await runEvalCase(agent as never, here, c);
      expect({ name: c.name, failures: outcome.failures }).toEqual({ name: c.name, failures: [] });
    }
  });
});
