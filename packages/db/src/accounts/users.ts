import { newId } from '@jeton/core';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { DECOY_HASH, hashPassword, verifyPassword } from './passwords.ts';
import { users } from './schema.ts';

export const ROLES = ['buyer', 'creator', 'reviewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  welcomedAt: Date | null;
  createdAt: Date;
}

const columns = {
  id: users.id,
  email: users.email,
  name: users.name,
  roles: users.roles,
  welcomedAt: users.welcomedAt,
  createdAt: users.createdAt,
};

/** Emails compare without case: `Ada@Example.com` and `ada@example.com` are one account. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** People: sign-up, password check, roles. Sessions and keys hang off a user's id. */
export class Users {
  constructor(private readonly db: Database) {}

  /** A new user with the buyer role, or `email_taken`. */
  async create(
    input: { email: string; name: string; password: string },
    now: Date = new Date(),
  ): Promise<{ ok: true; user: User } | { ok: false; error: 'email_taken' | 'busy' }> {
    const passwordHash = await hashPassword(input.password);
    if (passwordHash === 'busy') return { ok: false, error: 'busy' };
    const rows = await this.db
      .insert(users)
      .values({
        id: newId('usr', now.getTime()),
        email: normalizeEmail(input.email),
        name: input.name.trim(),
        passwordHash,
        roles: ['buyer'],
        createdAt: now,
      })
      .onConflictDoNothing({ target: users.email })
      .returning(columns);
    return rows[0] ? { ok: true, user: rows[0] as User } : { ok: false, error: 'email_taken' };
  }

  /**
   * The user whose email and password these are, or null; as slow for an unknown email as for a wrong
   * password; `busy` when too many passwords are being checked at once.
   */
  async authenticate(email: string, password: string): Promise<User | null | 'busy'> {
    const [row] = await this.db
      .select({ ...columns, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, normalizeEmail(email)));
    const valid = await verifyPassword(password, row?.passwordHash ?? DECOY_HASH);
    if (valid === 'busy') return 'busy';
    if (!row || !valid) return null;
    const { passwordHash: _, ...user } = row;
    return user as User;
  }

  async get(id: string): Promise<User | null> {
    const [row] = await this.db.select(columns).from(users).where(eq(users.id, id));
    return (row as User | undefined) ?? null;
  }

  async addRole(id: string, role: Role): Promise<void> {
    await this.db
      .update(users)
      .set({ roles: sql`array_append(${users.roles}, ${role})` })
      .where(sql`${users.id} = ${id} and not (${role} = any(${users.roles}))`);
  }

  /** Replaces a user's roles (in the order of ROLES); null for an unknown user. */
  async setRoles(id: string, roles: readonly Role[]): Promise<User | null> {
    const ordered = ROLES.filter((r) => roles.includes(r));
    const [row] = await this.db
      .update(users)
      .set({ roles: ordered })
      .where(eq(users.id, id))
      .returning(columns);
    return (row as User | undefined) ?? null;
  }

  async markWelcomed(id: string, at: Date): Promise<void> {
    await this.db.update(users).set({ welcomedAt: at }).where(eq(users.id, id));
  }
}
