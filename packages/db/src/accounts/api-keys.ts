import { createHash, randomBytes } from 'node:crypto';
import { isId, newId } from '@jeton/core';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { apiKeys, users } from './schema.ts';
import type { Role } from './users.ts';

/** A user may hold this many keys at once (live and revoked, listed together). */
export const MAX_KEYS_LISTED = 200;

/**
 * What a key lets a program do. A signed-in person (a session) may do all of it; a key only what it
 * was given. Keys themselves are managed from a session only: a leaked key cannot mint others.
 */
export const SCOPES = [
  'runs:read',
  'runs:write',
  'wallet:read',
  'wallet:write',
  'agents:write',
  'webhooks:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface KeyOwner {
  keyId: string;
  userId: string;
  scopes: Scope[];
  /** The user's roles (an operator's key acts as an operator); none for a user without an account row. */
  roles: Role[];
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
}

const hashOf = (key: string) => createHash('sha256').update(key).digest('base64url');

/**
 * API keys: `jtn_` and 43 characters of randomness (256 bits). The key is returned once; only its
 * SHA-256 is stored, so a leaked table leaks no key.
 */
export class ApiKeys {
  constructor(private readonly db: Database) {}

  async create(
    userId: string,
    name: string,
    scopes: readonly Scope[] = SCOPES,
    now: Date = new Date(),
  ): Promise<{ id: string; key: string }> {
    const key = `jtn_${randomBytes(32).toString('base64url')}`;
    const id = newId('key', now.getTime());
    await this.db.insert(apiKeys).values({
      id,
      userId,
      name,
      prefix: key.slice(0, 10),
      hash: hashOf(key),
      scopes: [...scopes],
      createdAt: now,
    });
    return { id, key };
  }

  /** The owner of a live key, or null for an unknown or revoked one. */
  async verify(key: string): Promise<KeyOwner | null> {
    if (!/^jtn_[A-Za-z0-9_-]{43}$/.test(key)) return null;
    const [row] = await this.db
      .select({ id: apiKeys.id, userId: apiKeys.userId, scopes: apiKeys.scopes, roles: users.roles })
      .from(apiKeys)
      .leftJoin(users, eq(users.id, apiKeys.userId))
      .where(and(eq(apiKeys.hash, hashOf(key)), isNull(apiKeys.revokedAt)));
    return row
      ? {
          keyId: row.id,
          userId: row.userId,
          scopes: row.scopes as Scope[],
          roles: (row.roles ?? []) as Role[],
        }
      : null;
  }

  /** A user's keys, live ones first, newest first; never the keys themselves. */
  async list(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        prefix: apiKeys.prefix,
        scopes: apiKeys.scopes,
        createdAt: apiKeys.createdAt,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.userId, userId))
      .orderBy(sql`${apiKeys.revokedAt} is not null`, desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(MAX_KEYS_LISTED);
    return rows.map((r) => ({ ...r, scopes: r.scopes as Scope[] }));
  }

  async revoke(userId: string, keyId: string, now: Date = new Date()): Promise<boolean> {
    if (!isId('key', keyId)) return false;
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }
}
