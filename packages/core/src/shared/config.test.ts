import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has a default for every setting: embedded database, port 3000, 20% commission', () => {
    const r = loadConfig({});
    expect(r).toEqual({
      ok: true,
      config: {
        databaseUrl: undefined,
        dataDir: './.jeton',
        port: 3000,
        host: '127.0.0.1',
        logLevel: 'info',
        commissionBps: 2000,
        payoutMinimum: 1000n,
        holdSweepSeconds: 30,
        dbPoolMax: 20,
        priceNoticeDays: 14,
        catalogSweepSeconds: 60,
        blobDir: './.jeton/blobs',
        s3: null,
        uploadMaxBytes: 100 * 1024 * 1024,
        checkResponses: false,
        webDist: null,
        accounts: { welcomeCredits: 200, sessionDays: 30, signInPerEmail: 10, signInPerAddress: 60 },
        publicUrl: null,
        webhooksAllowPrivate: false,
        rateLimits: { perIpPerMinute: 12_000, perKeyPerMinute: 6_000, trustProxy: false },
        runs: {
          perBuyer: 10,
          perAgent: 200,
          maxRunHours: 24,
          workerConcurrency: 16,
          heartbeatMs: 2000,
          leaseSeconds: 20,
          sweepSeconds: 5,
          questionTimeoutSeconds: 900,
          artifactMaxBytes: 100 * 1024 * 1024,
        },
      },
    });
  });

  it('reads the environment and treats an empty DATABASE_URL as unset', () => {
    const r = loadConfig({
      DATABASE_URL: '',
      PORT: '8080',
      LOG_LEVEL: 'debug',
      JETON_COMMISSION_BPS: '1500',
    });
    expect(r.ok && r.config.databaseUrl).toBeUndefined();
    expect(r.ok && [r.config.port, r.config.logLevel, r.config.commissionBps]).toEqual([8080, 'debug', 1500]);
    const pg = loadConfig({ DATABASE_URL: 'postgres://root@127.0.0.1:5432/jeton' });
    expect(pg.ok && pg.config.databaseUrl).toBe('postgres://root@127.0.0.1:5432/jeton');
  });

  it('names every bad setting at once', () => {
    const r = loadConfig({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      JETON_COMMISSION_BPS: '12000',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'JETON_COMMISSION_BPS']),
    );
  });

  it('takes an S3-compatible store for blobs, and says what is missing when half configured', () => {
    const s3 = loadConfig({
      JETON_S3_ENDPOINT: 'http://127.0.0.1:9000',
      JETON_S3_BUCKET: 'jeton',
      JETON_S3_ACCESS_KEY_ID: 'id',
      JETON_S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(s3.ok && s3.config.s3).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'jeton',
      region: 'us-east-1',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      pathStyle: true,
    });
    const half = loadConfig({ JETON_S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(half.ok).toBe(false);
    if (!half.ok) {
      expect(half.errors.map((e) => e.split(':')[0]).sort()).toEqual([
        'JETON_S3_ACCESS_KEY_ID',
        'JETON_S3_BUCKET',
        'JETON_S3_SECRET_ACCESS_KEY',
      ]);
    }
  });
});
