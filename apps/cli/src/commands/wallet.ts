import { parse } from '../api/args.ts';
import { client } from '../api/config.ts';
import { UsageError } from '../api/report.ts';

export const walletUsage = `Usage: jeton wallet [--json]

Your balance in credits (1 credit = US$0.01): what you can spend (paid and promotional), what runs in
progress hold, and, for creators, earnings. Needs a key with the wallet:read scope.`;

export async function wallet(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  const w = await client().wallet.get();
  if (values.json) {
    console.log(JSON.stringify(w, null, 2));
    return 0;
  }
  console.log(
    `Available: ${w.available} credits (paid ${w.paid.available}, promotional ${w.promo.available})`,
  );
  console.log(`Held by runs in progress: ${w.held} credits`);
  const earned = w.earnings.cash.balance + w.earnings.credit.balance;
  if (earned > 0)
    console.log(`Earnings: ${w.earnings.cash.balance} cash, ${w.earnings.credit.balance} credit`);
  return 0;
}
