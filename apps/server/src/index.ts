export { createApp } from './app.ts';
export { problem, problemType } from './problem.ts';
export { runRoleProcess } from './role-process.ts';
export { runMain } from './run.ts';
export { type RunningServer, type ServerRoles, startServer, VERSION } from './server.ts';
