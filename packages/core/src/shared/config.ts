import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * `JETON_PUBLIC_URL`, where people reach this server: an http(s) URL, kept without trailing slashes
 * so that paths can be appended. Exported because the payment settings (in the server) read it too,
 * and both must accept and normalise it the same way.
 */
export const publicUrlSetting = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

/** A settings schema's refusals, one line each, named by the variable they concern. */
export const settingErrors = (error: z.ZodError): string[] =>
  error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

const schema = z
  .object({
    DATABASE_URL: z
      .string()
      .trim()
      .transform((v) => (v === '' ? undefined : v))
      .pipe(
        z
          .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
          .optional(),
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
    JETON_BLOB_DIR: z.string().min(1).optional(),
    JETON_RUNS_PER_BUYER: z.coerce.number().int().min(1).max(100_000).default(10),
    JETON_RUNS_PER_AGENT: z.coerce.number().int().min(1).max(1_000_000).default(200),
    JETON_RUN_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24),
    JETON_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(16),
    JETON_HEARTBEAT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
    JETON_ATTEMPT_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(20),
    JETON_RUN_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    JETON_QUESTION_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(10)
      .max(7 * 86_400)
      .default(900),
    JETON_ARTIFACT_MAX_MB: z.coerce.number().int().min(1).max(10_000).default(100),
    JETON_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(10_000).default(100),
    JETON_RATE_PER_IP: z.coerce.number().int().min(0).max(10_000_000).default(12_000),
    JETON_RATE_PER_KEY: z.coerce.number().int().min(0).max(10_000_000).default(6_000),
    JETON_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
    JETON_CHECK_RESPONSES: z.enum(['true', 'false']).default('false'),
    JETON_WEB_DIST: z.string().min(1).optional(),
    JETON_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
    JETON_WELCOME_CREDITS: z.coerce.number().int().min(0).max(1_000_000).default(200),
    JETON_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    JETON_SIGNIN_PER_EMAIL: z.coerce.number().int().min(0).max(100_000).default(10),
    JETON_SIGNIN_PER_ADDRESS: z.coerce.number().int().min(0).max(100_000).default(60),
    JETON_PUBLIC_URL: publicUrlSetting.optional(),
    JETON_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    JETON_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
      .optional(),
    JETON_S3_REGION: z.string().min(1).default('us-east-1'),
    JETON_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    JETON_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    JETON_S3_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  })
  .superRefine((e, ctx) => {
    if (!e.JETON_S3_ENDPOINT) return;
    for (const name of ['JETON_S3_BUCKET', 'JETON_S3_ACCESS_KEY_ID', 'JETON_S3_SECRET_ACCESS_KEY'] as const) {
      if (!e[name])
        ctx.addIssue({ code: 'custom', path: [name], message: 'required when JETON_S3_ENDPOINT is set' });
    }
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
  /** Where artifacts and uploads are kept (default: `<dataDir>/blobs`), unless `s3` is set. */
  blobDir: string;
  /** An S3-compatible store for artifacts and uploads instead of `blobDir`. */
  s3: {
    /** e.g. https://s3.eu-west-3.amazonaws.com, http://127.0.0.1:9000 (MinIO), an R2 endpoint. */
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    /** `endpoint/bucket/key` (MinIO, most self-hosted stores) rather than `bucket.endpoint/key`. */
    pathStyle: boolean;
  } | null;
  uploadMaxBytes: number;
  /** Check every JSON answer against its OpenAPI schema (a mismatch is a 500): for tests. */
  checkResponses: boolean;
  /** The built web app to serve (default: apps/web/dist). */
  webDist: string | null;
  /** Let webhook endpoints reach loopback and private addresses (tests, local development). */
  webhooksAllowPrivate: boolean;
  accounts: {
    /** Credits every new user gets at sign-up, to try agents at once. */
    welcomeCredits: number;
    sessionDays: number;
    /** Password attempts a minute: per email (sign-in), per client address (sign-in and sign-up). */
    signInPerEmail: number;
    signInPerAddress: number;
  };
  /** Where people reach this server (cookies are `Secure` on https; links in MCP answers). */
  publicUrl: string | null;
  /** Requests a minute, per process: 0 is no limit. */
  rateLimits: {
    perIpPerMinute: number;
    perKeyPerMinute: number;
    /** Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it). */
    trustProxy: boolean;
  };
  runs: {
    perBuyer: number;
    perAgent: number;
    maxRunHours: number;
    workerConcurrency: number;
    heartbeatMs: number;
    leaseSeconds: number;
    sweepSeconds: number;
    questionTimeoutSeconds: number;
    artifactMaxBytes: number;
  };
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Reads configuration from the environment; every setting has a default, documented in `.env.example`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return { ok: false, errors: settingErrors(parsed.error) };
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
      blobDir: e.JETON_BLOB_DIR ?? `${e.JETON_DATA_DIR.replace(/\/+$/, '')}/blobs`,
      s3: e.JETON_S3_ENDPOINT
        ? {
            endpoint: e.JETON_S3_ENDPOINT,
            bucket: e.JETON_S3_BUCKET!,
            region: e.JETON_S3_REGION,
            accessKeyId: e.JETON_S3_ACCESS_KEY_ID!,
            secretAccessKey: e.JETON_S3_SECRET_ACCESS_KEY!,
            pathStyle: e.JETON_S3_PATH_STYLE === 'true',
          }
        : null,
      uploadMaxBytes: e.JETON_UPLOAD_MAX_MB * 1024 * 1024,
      checkResponses: e.JETON_CHECK_RESPONSES === 'true',
      webDist: e.JETON_WEB_DIST ?? null,
      webhooksAllowPrivate: e.JETON_WEBHOOKS_ALLOW_PRIVATE === 'true',
      accounts: {
        welcomeCredits: e.JETON_WELCOME_CREDITS,
        sessionDays: e.JETON_SESSION_DAYS,
        signInPerEmail: e.JETON_SIGNIN_PER_EMAIL,
        signInPerAddress: e.JETON_SIGNIN_PER_ADDRESS,
      },
      publicUrl: e.JETON_PUBLIC_URL ?? null,
      rateLimits: {
        perIpPerMinute: e.JETON_RATE_PER_IP,
        perKeyPerMinute: e.JETON_RATE_PER_KEY,
        trustProxy: e.JETON_TRUST_PROXY === 'true',
      },
      runs: {
        perBuyer: e.JETON_RUNS_PER_BUYER,
        perAgent: e.JETON_RUNS_PER_AGENT,
        maxRunHours: e.JETON_RUN_MAX_HOURS,
        workerConcurrency: e.JETON_WORKER_CONCURRENCY,
        heartbeatMs: e.JETON_HEARTBEAT_MS,
        leaseSeconds: e.JETON_ATTEMPT_LEASE_SECONDS,
        sweepSeconds: e.JETON_RUN_SWEEP_SECONDS,
        questionTimeoutSeconds: e.JETON_QUESTION_TIMEOUT_SECONDS,
        artifactMaxBytes: e.JETON_ARTIFACT_MAX_MB * 1024 * 1024,
      },
    },
  };
}
