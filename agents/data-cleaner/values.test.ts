import { describe, expect, it } from 'vitest';
import { outputs, run } from './test-support.ts';

describe('decimal commas', () => {
  it('keeps 1,234 in a tab file as text, not the number 1.234', async () => {
    const { column } = outputs(await run('item\tamount\nA\t1,234\nB\t2,500\nC\t12,5\n'));
    expect(column('amount').type).toBe('text');
    expect(column('amount').numeric).toBeFalsy();
  });

  it('keeps 1,234 in a pipe file as text', async () => {
    const { column } = outputs(await run('item|amount\nA|1,234\nB|2,500\n', { delimiter: 'auto' }));
    expect(column('amount').type).toBe('text');
  });

  it('reads a decimal comma in a semicolon file', async () => {
    const { column } = outputs(await run('item;amount\nA;1,5\nB;2,25\n'));
    expect(column('amount').type).toBe('number');
    expect(column('amount').numeric?.max).toBe(2.25);
  });
});
