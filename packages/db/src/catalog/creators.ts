import type { Creator } from '@jeton/core';
import { eq } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { catalogCreators } from './schema.ts';

/**
 * Inserts the creator or applies its handle and name to the existing row; how many rows now carry
 * them (0 when the id's row could not be inserted because another creator has the handle).
 */
export async function writeCreator(db: Database, creator: Creator): Promise<number> {
  // Two processes registering the same creator at once: an upsert on the id alone can still trip
  // over the handle's unique index (Postgres checks it before it sees the conflict on the id). So the
  // insert ignores any conflict, and the update that follows applies the values to that id.
  await db.insert(catalogCreators).values(creator).onConflictDoNothing();
  const updated = await db
    .update(catalogCreators)
    .set({ handle: creator.handle, displayName: creator.displayName })
    .where(eq(catalogCreators.id, creator.id))
    .returning({ id: catalogCreators.id });
  return updated.length;
}

/** A user's creator profile, created or renamed; false when another creator has the handle. */
export async function claimCreator(db: Database, creator: Creator): Promise<boolean> {
  try {
    return (await writeCreator(db, creator)) > 0;
  } catch (error) {
    // This id's row exists, and another creator has the handle it asked for.
    if (sqlState(error) === '23505') return false;
    throw error;
  }
}

/** The SQLSTATE of a database error (node-postgres and PGlite both set `code`; drizzle wraps it in `cause`). */
function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
