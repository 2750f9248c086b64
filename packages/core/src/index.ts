export * from './ledger/index.ts';
export * from './shared/assert.ts';
export * from './shared/canonical-json.ts';
export * from './shared/clock.ts';
export * from './shared/config.ts';
export * from './shared/logger.ts';
export * from './shared/money.ts';
export * from './shared/result.ts';
