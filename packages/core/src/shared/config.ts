import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(
      z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
    )
    .optional(),
  JETON_DATA_DIR: z.string().min(1).default('./.jeton'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  JETON_COMMISSION_BPS: z.coerce.number().int().min(0).max(10_000).default(2000),
  JETON_PAYOUT_MIN_CREDITS: z.coerce.bigint().min(1n).default(1000n),
  JETON_HOLD_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  JETON_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  JETON_PRICE_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  JETON_CATALOG_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});

export type Config = {
  /** Set: Postgres. Unset: embedded PGlite persisted under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  commissionBps: number;
  payoutMinimum: bigint;
  holdSweepSeconds: number;
  dbPoolMax: number;
  /** How long a price rise on a published agent waits before it applies. */
  priceNoticeDays: number;
  /** How often due price changes are applied and the ranking refreshed. */
  catalogSweepSeconds: number;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Reads configuration from the environment; every setting has a default, documented in `.env.example`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      databaseUrl: e.DATABASE_URL,
      dataDir: e.JETON_DATA_DIR,
      port: e.PORT,
      host: e.HOST,
      logLevel: e.LOG_LEVEL,
      commissionBps: e.JETON_COMMISSION_BPS,
      payoutMinimum: e.JETON_PAYOUT_MIN_CREDITS,
      holdSweepSeconds: e.JETON_HOLD_SWEEP_SECONDS,
      dbPoolMax: e.JETON_DB_POOL_MAX,
      priceNoticeDays: e.JETON_PRICE_NOTICE_DAYS,
      catalogSweepSeconds: e.JETON_CATALOG_SWEEP_SECONDS,
    },
  };
}
