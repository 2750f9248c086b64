import { createHash, randomBytes } from 'node:crypto';
import { newId } from '@jeton/core';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { sessions, users } from './schema.ts';
import type { Role } from './users.ts';

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface SessionUser {
  sessionId: string;
  userId: string;
  roles: Role[];
}

/**
 * Web sessions: a 256-bit random token in an http-only cookie; only its SHA-256 is stored, so a
 * leaked table opens no session. Signing out deletes the row: it ends at once, in every process.
 */
export class Sessions {
  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {}

  async create(userId: string, now: Date = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.db.insert(sessions).values({
      id: newId('ses', now.getTime()),
      hash: hashOf(token),
      userId,
      createdAt: now,
      expiresAt,
    });
    return { token, expiresAt };
  }

  async verify(token: string, now: Date = new Date()): Promise<SessionUser | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const [row] = await this.db
      .select({ sessionId: sessions.id, userId: sessions.userId, roles: users.roles })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.hash, hashOf(token)), gt(sessions.expiresAt, now)));
    return row ? { sessionId: row.sessionId, userId: row.userId, roles: row.roles as Role[] } : null;
  }

  async revoke(token: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.hash, hashOf(token)));
  }

  /** Deletes expired sessions (the sweep). */
  async deleteExpired(now: Date = new Date()): Promise<number> {
    const rows = await this.db
      .delete(sessions)
      .where(lt(sessions.expiresAt, now))
      .returning({ id: sessions.id });
    return rows.length;
  }
}
