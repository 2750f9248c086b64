import { parseArgs } from 'node:util';
import { loadConfig } from '@jeton/core';
import { runMain } from '@jeton/server';
import { agentInit } from './commands/agent-init.ts';
import { agentTest } from './commands/agent-test.ts';
import { agentValidate } from './commands/agent-validate.ts';
import { ledgerVerify } from './commands/ledger-verify.ts';

const HELP = `jeton — the Jeton marketplace from the command line

Usage:
  jeton serve [--api-only]    start the marketplace (API and a worker) on the configured database;
                              with --api-only (Postgres), the API alone: run workers beside it
  jeton worker                execute runs (Postgres): start as many as the load needs, on any machine
  jeton ledger verify [--json]
                              recompute every balance from the transfers and check every invariant;
                              exits 1 and names the offending accounts when a check fails
  jeton agent init <dir> [--slug s]
                              scaffold a new agent: manifest, code, a test case and an eval case
  jeton agent validate [dir]  check an agent's folder: manifest, code, examples, eval cases
  jeton agent test [dir]      run an agent's test and eval cases on this machine, with the runtime
                              the platform uses; exits 1 when a case fails
  jeton help | --help         this text

Configuration comes from the environment (see .env.example): DATABASE_URL for Postgres, otherwise
the embedded database under JETON_DATA_DIR (default ./.jeton).`;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, sub] = positionals;
  if (values.help || !command || command === 'help') {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  if (command === 'agent') {
    const dir = positionals[2] ?? '.';
    if (sub === 'init' && positionals[2]) return agentInit(dir, { slug: values.slug });
    if (sub === 'validate') return agentValidate(dir);
    if (sub === 'test') return agentTest(dir);
  }
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error(`Invalid configuration (see .env.example):\n  ${loaded.errors.join('\n  ')}`);
    return 2;
  }
  if (command === 'serve' && !sub) {
    await runMain({ api: true, worker: values['api-only'] !== true });
    return -1; // keeps running until a signal
  }
  if (command === 'worker' && !sub) {
    if (!loaded.config.databaseUrl) {
      console.error(
        'jeton worker shares the work through Postgres: set DATABASE_URL (the embedded database runs one process: jeton serve).',
      );
      return 2;
    }
    await runMain({ api: false, worker: true });
    return -1;
  }
  if (command === 'ledger' && sub === 'verify')
    return ledgerVerify(loaded.config, { json: values.json === true });
  console.error(`Unknown command: ${positionals.join(' ')}\n\n${HELP}`);
  return 2;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'api-only': { type: 'boolean' },
      slug: { type: 'string' },
    },
  });
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
