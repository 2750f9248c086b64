import { report, UsageError } from './api/report.ts';
import * as agent from './commands/agent-commands.ts';
import { publish, publishUsage } from './commands/agent-publish.ts';
import * as agents from './commands/agents.ts';
import { login, loginUsage } from './commands/login.ts';
import { run, runUsage } from './commands/run.ts';
import * as server from './commands/server-commands.ts';
import { wallet, walletUsage } from './commands/wallet.ts';

interface Command {
  usage: string;
  /** The exit code; -1 keeps the process running (a server) until a signal. */
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: { usage: server.serveUsage, run: server.serve },
  worker: { usage: server.workerUsage, run: server.worker },
  login: { usage: loginUsage, run: login },
  'agents search': { usage: agents.searchUsage, run: agents.search },
  'agents show': { usage: agents.showUsage, run: agents.show },
  run: { usage: runUsage, run },
  wallet: { usage: walletUsage, run: wallet },
  'agent init': { usage: agent.initUsage, run: agent.init },
  'agent validate': { usage: agent.validateUsage, run: agent.validate },
  'agent test': { usage: agent.testUsage, run: agent.test },
  'agent publish': { usage: publishUsage, run: publish },
  'ledger verify': { usage: server.ledgerVerifyUsage, run: server.verify },
};

const HELP = `jeton — the Jeton marketplace from the command line

Using the marketplace (JETON_API_URL, default http://127.0.0.1:3000; the key from JETON_API_KEY or
jeton login):
  jeton login --key jtn_... | --email e    store an API key for later commands
  jeton agents search [query]              find agents: slug, name, price, rating, runs
  jeton agents show <slug>                 an agent's page: its input fields, outputs, price
  jeton run <agent> --input name=value     run an agent, follow it live, download its artifacts
  jeton wallet                             your balance

Writing an agent:
  jeton agent init <dir>                   scaffold a code agent
  jeton agent validate [dir]               check its folder
  jeton agent test [dir]                   run its test and eval cases with the platform's runtime
  jeton agent publish [dir]                upload it and publish the version

Running the platform (configured like the server, see .env.example):
  jeton serve [--api-only]                 the marketplace on the configured database
  jeton worker                             a worker process (Postgres)
  jeton ledger verify [--json]             check every balance and invariant of the ledger

Most commands take --json (output for scripts). Every command takes --help.
Exit codes: 0 success, 1 failure, 2 usage; jeton run adds 3 timed out and 4 cancelled.`;

const GROUPS: Record<string, string> = {
  agents: 'search <query> | show <slug>',
  agent: 'init <dir> | validate [dir] | test [dir] | publish [dir]',
  ledger: 'verify',
};

async function main(argv: string[]): Promise<number> {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const help = flags.includes('--help') || flags.includes('-h');
  const words = argv.filter((a) => !a.startsWith('-'));
  const [first, second] = words;
  if (!first || first === 'help') {
    console.log(HELP);
    return first || help ? 0 : 2;
  }
  const name = second !== undefined && COMMANDS[`${first} ${second}`] ? `${first} ${second}` : first;
  const command = COMMANDS[name];
  if (!command) {
    const group = GROUPS[first];
    const usage = group ? `Usage: jeton ${first} ${group}\n\nSee jeton ${first} <command> --help.` : HELP;
    if (help && group) {
      console.log(usage);
      return 0;
    }
    console.error(
      `${group && second === undefined ? 'Which one?' : `Unknown command: ${words.join(' ')}`}\n\n${usage}`,
    );
    return 2;
  }
  if (help) {
    console.log(command.usage);
    return 0;
  }
  // The command's own arguments: everything but the words that named it.
  const rest = [...argv];
  for (const word of name.split(' ')) rest.splice(rest.indexOf(word), 1);
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`Error: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    return report(error);
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
