import type { ModelAccess } from '@jeton/runtime/sdk';
import { describe, expect, it } from 'vitest';
import { md } from './report.ts';
import { outputs, run } from './test-support.ts';

const EVIL = '<img src=x onerror=alert(1)>|`x`';

function modelSaying(text: string): ModelAccess {
  return {
    unavailable: null,
    generate: async () => ({
      text,
      model: 'test/<b>fake</b>',
      usage: { inputTokens: 1, outputTokens: 1 },
      costMicroCredits: 0n,
    }),
  };
}

/** The table rows of a report, each split on its unescaped pipes. */
const tableRows = (report: string) =>
  report
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split(/(?<!\\)\|/).length - 2);

describe('report.md escapes what comes from the file or the model', () => {
  it('shows a hostile column name as text, in every table and list', async () => {
    // The column is mostly numbers with one odd value, so it is named in the problems list too.
    const rows = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '<script>'].map((v, i) => `${i},${v}`);
    const csv = `id,${EVIL}\n${rows.join('\n')}\n`;
    const { report } = outputs(await run(csv, {}, { name: 'a<b>|c.csv' }));
    expect(report).not.toMatch(/<img|<script|<b>/);
    expect(report).toContain('&lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`');
    expect(report).toContain('# Data cleaning report: a&lt;b&gt;\\|c.csv');
    // Every table row has as many cells as its header.
    const [header, ...widths] = tableRows(report.split('## Columns')[1]!.split('##')[0]!);
    expect(widths.every((w) => w === header)).toBe(true);
    // In the problems list too.
    expect(report).toContain('- "&lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`" is mostly number');
    expect(report).toContain('("&lt;script&gt;")');
  });

  it('shows a model answer holding HTML and Markdown as text', async () => {
    const answer =
      '# Title\n<script>alert(1)</script> Data is *fine* | see [here](javascript:x).\n\n- <img src=x>';
    const { report } = outputs(await run('a,b\n1,2\n3,4\n', {}, { models: modelSaying(answer) }));
    expect(report).not.toMatch(/<script|<img|<b>/);
    const summary = report.split('## In short\n\n')[1]!.split('\n\n_Written')[0]!;
    expect(summary).toBe(
      '\\# Title &lt;script&gt;alert(1)&lt;/script&gt; Data is \\*fine\\* \\| see \\[here\\](javascript:x).\n\n\\- &lt;img src=x&gt;',
    );
    expect(report).toContain('_Written by test/&lt;b&gt;fake&lt;/b&gt; from');
  });

  it('md escapes pipes, backticks, HTML and line breaks', () => {
    expect(md('a|b`c<d>&e\nf\r\ng')).toBe('a\\|b\\`c&lt;d&gt;&amp;e f g');
  });
});
