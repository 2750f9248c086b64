export * from './access.ts';
export * from './config.ts';
export * from './cost.ts';
export * from './errors.ts';
export { MAX_VALIDATION_STEPS, type SchemaIssue, validateJson } from './json-schema.ts';
export * from './registry.ts';
export * from './schema-checks.ts';
