export * from './run-prompt.ts';
export * from './tools.ts';
