export { AgentFailure } from '@jeton/core';
export * from '../local/eval-cases.ts';
export * from '../local/run-locally.ts';
export * from './context.ts';
export * from './define-agent.ts';
export * from './test-agent.ts';
export type * from './types.ts';
