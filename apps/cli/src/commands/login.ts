import { hostname } from 'node:os';
import { errorFromResponse, Jeton } from '@jeton/sdk';
import { parse } from '../api/args.ts';
import { apiSettings, writeLogin } from '../api/config.ts';
import { UsageError } from '../api/report.ts';
import { promptSecret, readStdin } from '../api/secret-prompt.ts';

export const loginUsage = `Usage: jeton login --key jtn_...
       jeton login --email you@example.com [--password-stdin]

Stores an API key for the server at JETON_API_URL (default http://127.0.0.1:3000) in
$XDG_CONFIG_HOME/jeton/config.json (or ~/.config/jeton/config.json), readable by you alone (0600).
Later commands use it unless JETON_API_KEY is set.

  --key k           an existing key; checked against the server before it is stored
  --email e         sign in with your password (asked for on a terminal, or read from standard
                    input with --password-stdin), and create a key named after this machine
  --json            print the signed-in user as JSON

Exit codes: 0 logged in, 1 refused (a wrong key or password), 2 usage.`;

export async function login(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    key: { type: 'string' },
    email: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  if (!values.key === !values.email) throw new UsageError('Give either --key or --email.');
  const { apiUrl } = apiSettings();
  const key = values.key ?? (await keyFromPassword(apiUrl, values.email!, values['password-stdin'] === true));
  // A key is stored only once the server has accepted it.
  const me = await new Jeton({ apiKey: key, baseUrl: apiUrl }).me();
  const file = writeLogin({ apiUrl, apiKey: key });
  if (values.json) console.log(JSON.stringify(me, null, 2));
  else console.log(`Logged in to ${apiUrl} as ${me.email}. The key is in ${file}.`);
  return 0;
}

/** Signs in (a session cookie), then creates a key with that session: the password is never stored. */
async function keyFromPassword(apiUrl: string, email: string, fromStdin: boolean): Promise<string> {
  let password: string;
  if (fromStdin) password = await readStdin();
  else if (process.stdin.isTTY) password = await promptSecret(`Password for ${email}: `);
  else throw new UsageError('No terminal to ask for the password on: pipe it in with --password-stdin.');

  const anonymous = new Jeton({ baseUrl: apiUrl });
  const signIn = await anonymous.api.POST('/v1/auth/sign-in', { body: { email, password } });
  if (!signIn.response.ok) throw errorFromResponse(signIn.response, signIn.error);
  const session = signIn.response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('jeton_session='));
  if (!session) throw new Error('Signed in, but the server set no session cookie');

  const withSession = new Jeton({ baseUrl: apiUrl, headers: { cookie: session } });
  try {
    const created = await withSession.apiKeys.create({ name: `jeton CLI on ${hostname()}`.slice(0, 100) });
    return created.key;
  } finally {
    // The key is what stays; the session was only the way to get it.
    await withSession.api.POST('/v1/auth/sign-out').catch(() => {});
  }
}
