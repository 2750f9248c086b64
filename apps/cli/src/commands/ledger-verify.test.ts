import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ledger, ManualClock } from '@jeton/core';
import { type DatabaseHandle, DrizzleLedgerStore, migrateDatabase, openDatabase } from '@jeton/db';
import { createTestDatabase } from '@jeton/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/jeton.js', import.meta.url));
const run = promisify(execFile);

/** Runs the real `jeton` command and returns its exit code and output. */
async function jeton(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function fill(handle: DatabaseHandle) {
  const clock = new ManualClock();
  const ledger = new Ledger(new DrizzleLedgerStore(handle), { clock });
  for (const u of ['alice', 'bob']) await ledger.openAccounts(u);
  await ledger.topUp({ id: 't1', userId: 'alice', amount: 500n });
  await ledger.hold({
    id: 'h1',
    runId: 'r1',
    userId: 'alice',
    max: 100n,
    expiresAt: new Date(clock.now().getTime() + 60_000),
  });
  await ledger.capture({ id: 'c1', holdId: 'h1', amount: 80n, creatorId: 'bob' });
}

describe('jeton ledger verify on the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jeton-cli-'));
  const dataDir = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on a sound ledger, then exits 1 naming the account whose balance was tampered with', async () => {
    const handle = await openDatabase({ dataDir });
    await migrateDatabase(handle);
    await fill(handle);
    await handle.close();

    const clean = await jeton(['ledger', 'verify'], { JETON_DATA_DIR: dataDir });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('All checks passed.');

    const tamper = await openDatabase({ dataDir });
    await tamper.db.execute(
      sql`update ledger_accounts set credits_posted = credits_posted + 1 where id = 'bob:earnings_cash'`,
    );
    await tamper.close();

    const broken = await jeton(['ledger', 'verify'], { JETON_DATA_DIR: dataDir });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('FAIL  cached balances equal balances recomputed from transfers');
    expect(broken.stdout).toContain('Offending accounts: bob:earnings_cash');

    const json = await jeton(['ledger', 'verify', '--json'], { JETON_DATA_DIR: dataDir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, offendingAccounts: ['bob:earnings_cash'] });
  });

  it('says clearly when there is no database, and when the command is unknown', async () => {
    const missing = await jeton(['ledger', 'verify'], { JETON_DATA_DIR: join(dir, 'nothing-here') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No embedded database at');
    const unknown = await jeton(['ledger', 'balance'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: ledger balance');
  });

  it('refuses to start a worker without Postgres, saying why, and lists both roles in its help', async () => {
    const worker = await jeton(['worker'], { DATABASE_URL: '' });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('jeton worker shares the work through Postgres: set DATABASE_URL');
    const help = await jeton(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/jeton serve \[--api-only\]/);
    expect(help.stdout).toMatch(/jeton worker/);
  });
});

describe.runIf(process.env.DATABASE_URL)('jeton ledger verify on Postgres', () => {
  it('exits 1 when a hold was flipped without its transfers', async () => {
    const testDb = await createTestDatabase('postgres');
    try {
      await fill(testDb.handle);
      expect((await jeton(['ledger', 'verify'], { DATABASE_URL: testDb.url! })).code).toBe(0);
      await testDb.handle.db.execute(
        sql`update ledger_holds set status = 'released', captured_amount = null where id = 'h1'`,
      );
      const broken = await jeton(['ledger', 'verify'], { DATABASE_URL: testDb.url! });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain("FAIL  each hold's status matches its transfers");
    } finally {
      await testDb.drop();
    }
  });
});
