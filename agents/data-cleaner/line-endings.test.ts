import { describe, expect, it } from 'vitest';
import { LineIndex } from './line-index.ts';
import { outputs, run } from './test-support.ts';

describe('mixed line endings', () => {
  it('reads CRLF, LF and CR lines in one file as one record each', async () => {
    const { profile, cleaned } = outputs(await run('a,b\r\n1,2\r\n3,4\n5,6\n7,8\r\n'));
    expect(cleaned).toBe('a,b\n1,2\n3,4\n5,6\n7,8\n');
    expect(profile.rows.data).toBe(4);
    expect(profile.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(profile.rows.ragged.count).toBe(0);
    expect(profile.cleaning.extraColumns).toBe(0);
  });

  it('numbers lines by every kind of break, quoted breaks included', async () => {
    // Lines: 1 header (CRLF), 2 (LF), 3-4 a quoted CRLF, 5 (CR), 6 blank (CRLF), 7 duplicate of 2, 8 short.
    const csv = 'a,b\r\n1,2\n"x\r\ny",3\r5,6\r\n\r\n1,2\r\n9\n';
    const { profile, cleaned } = outputs(await run(csv));
    expect(cleaned).toBe('a,b\n1,2\n"x\ny",3\n5,6\n9,\n');
    expect(profile.rows.data).toBe(5);
    expect(profile.rows.blankLinesSkipped).toBe(1);
    expect(profile.rows.duplicates.lines).toEqual([7]);
    expect(profile.rows.ragged.examples).toEqual([{ line: 8, fields: 1 }]);
  });

  it('counts a CRLF split across two chunks once', () => {
    const index = new LineIndex();
    const enc = new TextEncoder();
    index.feed(enc.encode('a\r'));
    index.feed(enc.encode('\nb\rc\n'));
    expect(index.lineAt(0)).toBe(1);
    expect(index.lineAt(3)).toBe(2); // "b"
    expect(index.lineAt(5)).toBe(3); // "c"
    expect(index.lineAt(7)).toBe(4); // past the last break
  });
});
