import type { DatabaseHandle } from '../connect.ts';

export type Row = Record<string, unknown>;

/**
 * Runs one or more `;`-separated statements in one round trip and returns each statement's rows.
 * `last: true` marks the final call of a transaction, so the commit can travel with it.
 */
export type SqlRunner = (statements: readonly string[], options?: { last?: boolean }) => Promise<Row[][]>;

/**
 * A transaction driven by whole groups of statements. A batch of ledger commands costs two round
 * trips this way (claim, lock and read; write and commit) instead of one per statement: on this
 * 2-core machine each round trip costs more CPU in the kernel than the statements themselves.
 *
 * Values reach SQL only through `literal()`, and the ledger validates every string it writes.
 */
/** One parameterised statement in the same transaction (for libraries that bind values, like pg-boss). */
export type SqlQuery = (text: string, values: readonly unknown[]) => Promise<{ rows: Row[] }>;

export async function runTransaction<T>(
  handle: DatabaseHandle,
  fn: (run: SqlRunner, query: SqlQuery) => Promise<T>,
): Promise<T> {
  if (handle.engine === 'pglite') {
    return handle.pglite.transaction(async (tx) => {
      const run: SqlRunner = async (statements) =>
        statements.length ? (await tx.exec(statements.join(';\n'))).map((r) => r.rows as Row[]) : [];
      const query: SqlQuery = async (text, values) => ({
        rows: (await tx.query(text, [...values])).rows as Row[],
      });
      return fn(run, query);
    });
  }
  const client = await handle.pool.connect();
  let begun = false;
  let committed = false;
  try {
    const run: SqlRunner = async (statements, options) => {
      const head = begun ? [] : ['begin'];
      const tail = options?.last ? ['commit'] : [];
      begun = true;
      // Without parameters, pg uses the simple query protocol, which accepts several statements.
      const result = (await client.query([...head, ...statements, ...tail].join(';\n'))) as unknown as
        | { rows: Row[] }
        | { rows: Row[] }[];
      const all = Array.isArray(result) ? result : [result];
      if (options?.last) committed = true;
      return all.slice(head.length, head.length + statements.length).map((r) => r.rows);
    };
    const query: SqlQuery = async (text, values) => {
      if (committed) throw new Error('the transaction has already committed');
      if (!begun) await client.query('begin');
      begun = true;
      return (await client.query(text, [...values])) as unknown as { rows: Row[] };
    };
    const value = await fn(run, query);
    if (begun && !committed) await client.query('commit');
    return value;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A SQL string literal. Standard-conforming strings (the default since Postgres 9.1) only need `'` doubled. */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new TypeError('a NUL character cannot be stored in text');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A value as a `json` literal, for json_to_recordset and friends. */
export function jsonLiteral(value: unknown): string {
  return `${literal(JSON.stringify(value))}::json`;
}

/** A list of strings as a SQL set expression built from one JSON literal (the statement's shape does not depend on its length). */
export const textList = (values: readonly string[]): string =>
  `(select json_array_elements_text(${jsonLiteral(values)}))`;

/** The SQLSTATE of a database error (possibly wrapped in causes), if there is one. */
export function pgErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * `runTransaction`, run again (up to `attempts` times, after a random pause of up to `pauseMs` ×
 * the attempt number) when the database refuses it with one of `retryOn`: another transaction got
 * there first (a deadlock, a serialization failure), and nothing of this one was written.
 */
export async function runTransactionWithRetry<T>(
  handle: DatabaseHandle,
  fn: (run: SqlRunner, query: SqlQuery) => Promise<T>,
  options: { retryOn: ReadonlySet<string>; attempts: number; pauseMs: number; onRetry?: () => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runTransaction(handle, fn);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryOn.has(pgErrorCode(error) ?? '')) throw error;
      options.onRetry?.();
      await new Promise((r) => setTimeout(r, Math.random() * options.pauseMs * attempt));
    }
  }
}
