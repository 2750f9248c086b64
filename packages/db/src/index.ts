export * from './connect.ts';
export { applyInTransaction, DrizzleLedgerStore } from './ledger/store.ts';
export { verifyLedger } from './ledger/verify.ts';
export * from './migrate.ts';
export * from './schema.ts';
