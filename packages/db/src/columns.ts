import { timestamp } from 'drizzle-orm/pg-core';

/** A point in time: `timestamptz`, read as a Date. Every table's times are this one type. */
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
