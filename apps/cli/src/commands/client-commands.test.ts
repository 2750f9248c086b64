import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jeton } from '@jeton/sdk';
import { fundedUser, type LocalServer, startLocalServer, type TestUser } from '@jeton/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/jeton.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `jeton` command, with only the environment given (and PATH), and `input` on stdin. */
function jeton(args: string[], env: Record<string, string>, input = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the jeton CLI against a real server', () => {
  let local: LocalServer;
  let user: TestUser;
  let key: string;
  let root: string;
  let env: Record<string, string>;
  const fresh = (name: string) => mkdtempSync(join(root, `${name}-`));

  beforeAll(async () => {
    local = await startLocalServer();
    user = await fundedUser(local, 'clibuyer', 1000n);
    key = user.key;
    root = mkdtempSync(join(tmpdir(), 'jeton-cli-api-'));
    env = { JETON_API_URL: local.url, JETON_API_KEY: key, XDG_CONFIG_HOME: join(root, 'config') };
  });
  afterAll(async () => {
    await local?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('prints its usage and exits 0 for --help on every command and group', async () => {
    const commands = [
      [],
      ['help'],
      ['serve'],
      ['worker'],
      ['login'],
      ['agents'],
      ['agents', 'search'],
      ['agents', 'show'],
      ['run'],
      ['wallet'],
      ['agent'],
      ['agent', 'init'],
      ['agent', 'validate'],
      ['agent', 'test'],
      ['agent', 'publish'],
      ['ledger'],
      ['ledger', 'verify'],
    ];
    const results = await Promise.all(commands.map((c) => jeton([...c, '--help'], {})));
    for (const [i, r] of results.entries()) {
      expect(r.code, commands[i]!.join(' ')).toBe(0);
      const expected =
        commands[i]!.length === 0 || commands[i]![0] === 'help'
          ? 'jeton — '
          : `Usage: jeton ${commands[i]!.join(' ')}`;
      expect(r.stdout, commands[i]!.join(' ')).toContain(expected);
    }
    expect((await jeton(['run', '--help'], {})).stdout).toContain('4  cancelled');
    const unknown = await jeton(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: frobnicate');
    const badOption = await jeton(['agents', 'search', '--colour', 'red'], env);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
  });

  it('searches the catalog and shows an agent', async () => {
    const found = await jeton(['agents', 'search', 'character', '--json'], env);
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as { data: { slug: string }[] }).data.map((a) => a.slug)).toContain(
      '3d-character',
    );
    const table = await jeton(['agents', 'search', 'brand'], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^SLUG\s+NAME\s+PRICE\s+RATING\s+RUNS$/);
    expect(table.stdout).toMatch(/brand-kit\s+Brand kit\s+20 cr/);

    const shown = await jeton(['agents', 'show', 'brand-kit'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/company\s+string\s+yes/);
    expect(shown.stdout).toContain('logo.svg (image/svg+xml)');
    const missing = await jeton(['agents', 'show', 'no-such-agent'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error:');
  });

  it('runs an agent: exit 0, the charge, every artifact in --out with its SHA-256', async () => {
    const out = join(fresh('run'), 'kit');
    const r = await jeton(
      [
        'run',
        'brand-kit',
        '--input',
        'company=Acme',
        '--input',
        'mood=bold',
        '--max-credits',
        '50',
        '--json',
        '--out',
        out,
      ],
      env,
    );
    expect(r.stderr).toMatch(/Run run_\w+: brand-kit 1\.0\.0, up to 20 credits held/);
    expect(r.code).toBe(0);
    const { run, artifacts } = JSON.parse(r.stdout) as {
      run: { id: string; status: string; charged: number; input: unknown };
      artifacts: { name: string; path: string; sha256: string }[];
    };
    expect(run).toMatchObject({ status: 'succeeded', charged: 20, input: { company: 'Acme', mood: 'bold' } });
    expect(artifacts.map((a) => a.name).sort()).toEqual(['logo.svg', 'palette.json', 'palette.md']);
    for (const a of artifacts) {
      expect(a.path).toBe(join(out, a.name));
      expect(sha256(a.path)).toBe(a.sha256);
    }
    // The server's record agrees with what was written.
    const records = await new Jeton({ apiKey: key, baseUrl: local.url }).runs.artifacts(run.id);
    expect(records.map((a) => a.sha256).sort()).toEqual(artifacts.map((a) => a.sha256).sort());
  });

  it('uploads --file inputs and puts their ids in the input', async () => {
    const dir = fresh('file');
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'name,age\nAda,36\nAda,36\n Bob ,41\n');
    const r = await jeton(
      ['run', 'data-cleaner', '--file', `csv=${csv}`, '--json', '--out', join(dir, 'out')],
      env,
    );
    expect(r.stderr).toMatch(/Uploaded .*people\.csv \(\d+ bytes\) as fil_/);
    expect(r.code).toBe(0);
    const { run } = JSON.parse(r.stdout) as { run: { status: string; input: { csv: string[] } } };
    expect(run.status).toBe('succeeded');
    expect(run.input.csv).toEqual([expect.stringMatching(/^fil_/)]);
  });

  it('exits 2 with every problem on stderr when the input is wrong, and charges nothing', async () => {
    const before = await local.server.ledger.balance(user.id);
    const refused = await jeton(['run', 'brand-kit', '--input', 'mood=angry', '--out', fresh('bad')], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('$.mood');
    expect(refused.stdout).toBe('');
    const unreadable = await jeton(['run', '3d-character', '--input', 'height=tall'], env);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('--input height takes a number, not "tall"');
    const noKey = await jeton(['run', 'brand-kit', '--input', 'company=Acme'], { ...env, JETON_API_KEY: '' });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('jeton login');
    expect((await local.server.ledger.balance(user.id))?.available).toBe(before?.available);
    const wallet = await jeton(['wallet', '--json'], env);
    expect(wallet.code).toBe(0);
    expect(JSON.parse(wallet.stdout)).toMatchObject({
      object: 'wallet',
      available: Number(before?.available),
    });
    expect((await jeton(['wallet'], env)).stdout).toContain(`Available: ${before?.available} credits`);
  });

  it('agent publish: a scaffolded agent becomes a creator’s draft, then a published, searchable agent', async () => {
    const dir = join(fresh('publish'), 'shouty');
    expect((await jeton(['agent', 'init', dir, '--slug', 'shouty-notes'], env)).code).toBe(0);
    // Publishing needs a creator profile: refused, with the server's reason, until there is one.
    const early = await jeton(['agent', 'publish', dir], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/creator/i);
    await new Jeton({ apiKey: key, baseUrl: local.url }).api.PUT('/v1/me/creator-profile', {
      body: { handle: 'cli-labs', displayName: 'CLI Labs' },
    });
    const draft = await jeton(['agent', 'publish', dir, '--draft', '--json'], env);
    expect(draft.code).toBe(0);
    expect(JSON.parse(draft.stdout)).toMatchObject({ version: { status: 'draft' } });
    expect((await fetch(`${local.url}/v1/agents/shouty-notes/quote`)).status).toBe(404);
    const published = await jeton(['agent', 'publish', dir, '--json'], env);
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ slug: 'shouty-notes', tests: { status: 'passed' } });
    const search = await jeton(['agents', 'search', 'shouty', '--json'], env);
    expect(search.stdout).toContain('shouty-notes');
    // The same version again: a published version never changes.
    const again = await jeton(['agent', 'publish', dir], env);
    expect(again.code).toBe(1);
  });

  it('login --key checks the key, stores it readable by its owner alone, and later commands use it', async () => {
    const config = fresh('xdg');
    const noEnvKey = { JETON_API_URL: local.url, XDG_CONFIG_HOME: config };
    const wrong = await jeton(['login', '--key', 'jtn_not-a-key'], noEnvKey);
    expect(wrong.code).toBe(1);
    expect(() => statSync(join(config, 'jeton', 'config.json'))).toThrow();

    const ok = await jeton(['login', '--key', key], noEnvKey);
    expect(ok.code).toBe(0);
    const file = join(config, 'jeton', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ apiUrl: local.url, apiKey: key });

    const r = await jeton(
      ['run', 'brand-kit', '--input', 'company=Stored', '--json', '--out', fresh('stored')],
      noEnvKey,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).run.input).toEqual({ company: 'Stored' });
    // Pointed at another server, the stored key is not sent there.
    const elsewhere = await jeton(['run', 'brand-kit', '--input', 'company=X'], {
      ...noEnvKey,
      JETON_API_URL: 'http://127.0.0.1:9',
    });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('Could not reach http://127.0.0.1:9');
  });

  it('login --email signs in with the password from stdin, creates a key and stores it', async () => {
    const config = fresh('xdg-email');
    const noEnvKey = { JETON_API_URL: local.url, XDG_CONFIG_HOME: config };
    const file = join(config, 'jeton', 'config.json');
    const wrong = await jeton(['login', '--email', user.email, '--password-stdin'], noEnvKey, 'not-it\n');
    expect(wrong.code).toBe(1);
    expect(() => statSync(file)).toThrow();
    const noTerminal = await jeton(['login', '--email', user.email], noEnvKey);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--password-stdin');

    const ok = await jeton(
      ['login', '--email', user.email, '--password-stdin', '--json'],
      noEnvKey,
      `${user.password}\n`,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: user.id, email: user.email });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { apiUrl: string; apiKey: string };
    expect(stored.apiUrl).toBe(local.url);
    expect(stored.apiKey).not.toBe(key);
    expect((await new Jeton({ apiKey: stored.apiKey, baseUrl: local.url }).me()).id).toBe(user.id);
  });
});
