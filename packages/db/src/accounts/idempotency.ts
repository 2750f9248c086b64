import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { idempotencyKeys } from './schema.ts';

export type IdempotencyClaim =
  | { type: 'claimed' }
  | { type: 'replay'; status: number; body: string; headers: Record<string, string> }
  | { type: 'mismatch' }
  | { type: 'in_progress' };

/**
 * The stored first responses of `Idempotency-Key` requests. Claiming is one insert: of two requests
 * with one key, exactly one does the work; the other is told it is in progress, or gets the stored
 * answer once there is one.
 */
export class IdempotencyKeys {
  constructor(private readonly db: Database) {}

  async claim(
    userId: string,
    key: string,
    fingerprint: string,
    now: Date = new Date(),
  ): Promise<IdempotencyClaim> {
    const inserted = await this.db
      .insert(idempotencyKeys)
      .values({ userId, key, fingerprint, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) return { type: 'claimed' };
    const [row] = await this.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
    // Deleted between the two statements (the first request failed): the caller may simply retry.
    if (!row) return { type: 'in_progress' };
    if (row.fingerprint !== fingerprint) return { type: 'mismatch' };
    if (row.status === null) return { type: 'in_progress' };
    return { type: 'replay', status: row.status, body: row.body ?? '', headers: row.headers ?? {} };
  }

  async complete(
    userId: string,
    key: string,
    response: { status: number; body: string; headers: Record<string, string> },
  ): Promise<void> {
    await this.db
      .update(idempotencyKeys)
      .set(response)
      .where(
        and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), isNull(idempotencyKeys.status)),
      );
  }

  /** The first request failed without an answer worth keeping (a 5xx): the key may be used again. */
  async release(userId: string, key: string): Promise<void> {
    await this.db
      .delete(idempotencyKeys)
      .where(
        and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), isNull(idempotencyKeys.status)),
      );
  }

  /** Keys are kept 24 hours, like Stripe's. */
  async deleteOlderThan(before: Date): Promise<number> {
    const rows = await this.db
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, before))
      .returning({ key: idempotencyKeys.key });
    return rows.length;
  }
}
