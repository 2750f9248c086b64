export * from './executor.ts';
export * from './failures.ts';
export * from './files.ts';
export * from './port.ts';
export * from './registry-executor.ts';
export * from './statuses.ts';
export * from './storage.ts';
export * from './types.ts';
