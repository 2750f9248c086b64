import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config, VerifyReport } from '@jeton/core';
import { openDatabase, verifyLedger } from '@jeton/db';

/**
 * `jeton ledger verify`: recomputes every balance from the transfers and checks every invariant,
 * against the configured database (safe on a live one: it only reads, in one snapshot).
 * Exit code 0 when sound, 1 when any check fails, 2 when it cannot run.
 */
export async function ledgerVerify(config: Config, options: { json: boolean }): Promise<number> {
  if (!config.databaseUrl && config.dataDir !== 'memory' && !existsSync(resolve(config.dataDir))) {
    console.error(`No embedded database at ${resolve(config.dataDir)} (set JETON_DATA_DIR or DATABASE_URL).`);
    return 2;
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 });
  let report: VerifyReport;
  try {
    report = await verifyLedger(database.db);
  } catch (error) {
    console.error(`Could not verify the ledger: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await database.close();
  }
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else print(report, database.engine);
  return report.ok ? 0 : 1;
}

function print(report: VerifyReport, engine: string): void {
  console.log(`Ledger verification (${engine})`);
  for (const check of report.checks) {
    console.log(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}`);
    for (const failure of check.failures.slice(0, 50)) console.log(`          ${failure}`);
    if (check.failures.length > 50) console.log(`          … and ${check.failures.length - 50} more`);
  }
  if (report.ok) console.log('All checks passed.');
  else console.log(`Offending accounts: ${report.offendingAccounts.join(', ') || '(none named)'}`);
}
