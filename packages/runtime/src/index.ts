export * from './builtin/pool.ts';
export * from './executor.ts';
export * from './models/index.ts';
export * from './prompt/index.ts';
export * from './sandbox/index.ts';
export * from './sdk/index.ts';
export * from './secrets.ts';
export * from './test-runner.ts';
