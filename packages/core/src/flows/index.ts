export * from './review-run.ts';
export * from './run-engine.ts';
export * from './run-sweep.ts';
export * from './run-worker.ts';
export * from './settlement.ts';
