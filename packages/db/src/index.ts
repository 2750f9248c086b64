export { DrizzleCatalogStore, MEDIAN_WINDOW, upsertSearchRows } from './catalog/store.ts';
export * from './connect.ts';
export { applyInTransaction } from './ledger/apply-in-transaction.ts';
export { runTransaction, type SqlRunner } from './ledger/sql-runner.ts';
export { DrizzleLedgerStore } from './ledger/store.ts';
export { verifyLedger } from './ledger/verify.ts';
export * from './migrate.ts';
export * from './schema.ts';
