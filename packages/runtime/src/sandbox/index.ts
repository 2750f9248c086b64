export { type ErrorInfo, SANDBOX_LIMITS, type SandboxLimits } from './bridge.ts';
export {
  checkUrl,
  defaultLookup,
  type HostFetch,
  type HostLookup,
  type HostRequest,
  hostAllowed,
  NetworkRefusal,
  nonPublicReason,
  pinnedFetch,
} from './network.ts';
export { type CodeRunOptions, codeUnavailable, runCodeAgent } from './run-code-agent.ts';
