export * from './failures.ts';
export * from './statuses.ts';
export * from './port.ts';
export * from './types.ts';
export * from './executor.ts';
export * from './storage.ts';
