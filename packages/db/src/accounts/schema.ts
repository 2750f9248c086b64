import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from '../columns.ts';

/**
 * API keys: how programs (and, until sign-in exists, people) act as a user. A key is shown once; only
 * its SHA-256 is kept. Keys are 256-bit random, so a fast hash is enough: there is nothing to guess.
 */

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    /** The first characters of the key, shown in lists so a user can tell keys apart. */
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    createdAt: at('created_at').notNull(),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('api_keys_user').on(t.userId).where(sql`${t.revokedAt} is null`)],
);

/**
 * People. The email is stored lowercased and unique; the password as an scrypt hash with its
 * parameters (so they can be raised later without breaking older hashes).
 */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  /** buyer always; creator once they have a creator profile; reviewer and operator given by an operator. */
  roles: text('roles').array().notNull(),
  /** When the welcome credits were granted: null until then (a crash in between is caught up at sign-in). */
  welcomedAt: at('welcomed_at'),
  createdAt: at('created_at').notNull(),
});

/** Web sessions: the cookie holds a 256-bit random token; only its SHA-256 is kept. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    hash: text('hash').notNull().unique(),
    userId: text('user_id').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/**
 * `Idempotency-Key`s of money POSTs: the first response, stored and replayed. `status` is null while
 * the first request is still being answered.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the method, path and body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: integer('status'),
    body: text('body'),
    headers: jsonb('headers').$type<Record<string, string>>(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);

export const accountsSchema = { apiKeys, users, sessions, idempotencyKeys };
