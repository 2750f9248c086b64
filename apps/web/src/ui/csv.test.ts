import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,,3';
    expect(parseCsv(text).rows).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ]);
  });

  it('takes LF, CRLF and lone CR line ends, a BOM, a trailing line end or none, and skips blank lines', () => {
    expect(parseCsv('\ufeffa,b\n1,2\n').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a\r1\r\n\r\n2').rows).toEqual([['a'], ['1'], ['2']]);
    expect(parseCsv('').rows).toEqual([]);
    expect(parseCsv('a,').rows).toEqual([['a', '']]);
    expect(parseCsv('""').rows).toEqual([['']]);
  });

  it('stops after maxRows and says so', () => {
    expect(parseCsv('h\n1\n2\n3\n', { maxRows: 2 })).toEqual({ rows: [['h'], ['1']], truncated: true });
    expect(parseCsv('h\n1\n', { maxRows: 2 })).toEqual({ rows: [['h'], ['1']], truncated: false });
    expect(parseCsv('h\n1\n2', { maxRows: 2 }).truncated).toBe(true);
  });

  it('detects semicolons and tabs from the first line, outside quotes', () => {
    expect(detectDelimiter('a;b;c\n1;2;3')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t');
    expect(detectDelimiter('"x;y;z",b\n')).toBe(',');
    expect(parseCsv('a;"b;c"\n1;2').rows).toEqual([
      ['a', 'b;c'],
      ['1', '2'],
    ]);
  });
});
