export * from './failures.ts';
export * from './statuses.ts';
