import { AgentFailure, testAgent } from '@jeton/runtime/sdk';
import { describe, expect, it } from 'vitest';
import agent from './agent.ts';
import type { ProfileDocument } from './profile-json.ts';
import { fixture, ordersCsv, outputs, run, streamedFile, streamingCtx } from './test-support.ts';

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
    const error = await agent.run(ctx, ctx.input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentFailure);
    expect(error).toMatchObject({ code: 'agent_error', message: 'The run has stopped.' });
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
