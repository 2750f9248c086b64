export * from './fake-anthropic.ts';
export * from './fake-openai.ts';
export * from './registry.ts';
export * from './server.ts';
