import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * API keys: how programs (and, until sign-in exists, people) act as a user. A key is shown once; only
 * its SHA-256 is kept. Keys are 256-bit random, so a fast hash is enough: there is nothing to guess.
 */
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

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

export const accountsSchema = { apiKeys };
