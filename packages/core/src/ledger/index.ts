export * from './accounts.ts';
export * from './apply.ts';
export * from './batch-state.ts';
export * from './commands.ts';
export type * from './errors.ts';
export * from './ledger.ts';
export type * from './outcomes.ts';
export type * from './port.ts';
export type * from './types.ts';
