export * from './access.ts';
export * from './config.ts';
export * from './cost.ts';
export * from './errors.ts';
export * from './json-schema.ts';
export * from './registry.ts';
