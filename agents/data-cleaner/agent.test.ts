import { describe, expect, it } from 'vitest';
import { expectInvalid, fixture, outputs, run } from './test-support.ts';

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
    // A decimal comma counts only in semicolon files: in a tab file "2,5" may be 2,500, so it is text.
    expect(b.column('price').type).toBe('text');
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
