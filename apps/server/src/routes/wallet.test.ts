import { testEngines } from '@jeton/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaymentsConfig } from '../payments/config.ts';
import { earn, RecordingEvents, startWalletServer, type WalletTestServer } from '../payments/test-server.ts';

const devConfig = () => {
  const r = loadPaymentsConfig({ JETON_DEV_TOPUP_DAILY_LIMIT: '2000' });
  if (!r.ok) throw new Error(r.errors.join());
  return r.config;
};

describe.each(testEngines())('wallet API with the dev provider on %s', (engine) => {
  let t: WalletTestServer;
  let key: string;
  let otherKey: string;
  let readOnlyKey: string;
  const events = new RecordingEvents();
  const userId = 'usr_walletdev';

  beforeAll(async () => {
    t = await startWalletServer(engine, { config: devConfig(), events }, () => key);
    key = (await t.server.keys.create(userId, 'tests')).key;
    otherKey = (await t.server.keys.create('usr_walletother', 'other')).key;
    readOnlyKey = (await t.server.keys.create(userId, 'read only', ['wallet:read'])).key;
  }, 60_000);
  afterAll(() => t?.close());

  it('shows paid and promotional credits, holds and earnings apart', async () => {
    await t.server.ledger.openAccounts('usr_balances');
    await t.server.ledger.topUp({ id: 'bal-top', userId: 'usr_balances', amount: 700n });
    await t.server.ledger.grantPromo({ id: 'bal-promo', userId: 'usr_balances', amount: 300n });
    await t.server.ledger.hold({
      id: 'bal-hold',
      runId: 'run_bal',
      userId: 'usr_balances',
      max: 400n,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const k = (await t.server.keys.create('usr_balances', 'b')).key;
    const wallet = await (await t.api('/v1/wallet', { key: k })).json();
    // Promotional credits are held first: 300 promo + 100 paid.
    expect(wallet).toEqual({
      object: 'wallet',
      available: 600,
      held: 400,
      paid: { balance: 700, available: 600 },
      promo: { balance: 300, available: 0 },
      earnings: { cash: { balance: 0, available: 0 }, credit: { balance: 0, available: 0 } },
    });
    // A user with no account yet has an empty wallet, not an error.
    expect(await (await t.api('/v1/wallet', { key: otherKey })).json()).toMatchObject({
      available: 0,
      held: 0,
    });
  });

  it('credits a dev top-up at once, lists it and its transaction, and announces it', async () => {
    const res = await t.api('/v1/wallet/top-ups', { method: 'POST', json: { credits: 1500 } });
    expect(res.status).toBe(201);
    const top = (await res.json()) as { id: string };
    expect(top).toMatchObject({
      object: 'top_up',
      provider: 'dev',
      credits: 1500,
      status: 'credited',
      url: null,
    });
    expect(top.id).toMatch(/^top_/);
    expect((await t.server.ledger.balance(userId))?.paid.posted).toBe(1500n);

    const list = await (await t.api('/v1/wallet/top-ups')).json();
    expect(list).toMatchObject({ data: [{ id: top.id, status: 'credited' }], nextCursor: null });
    const txs = await (await t.api('/v1/wallet/transactions')).json();
    expect(txs).toMatchObject({
      data: [
        {
          object: 'transaction',
          account: 'wallet_paid',
          direction: 'credit',
          amount: 1500,
          code: 'top_up',
          reference: top.id,
        },
      ],
    });
    expect(events.emitted).toEqual([
      { userId, type: 'top_up.credited', data: expect.objectContaining({ id: top.id, credits: 1500 }) },
    ]);
  });

  it('refuses a top-up past the daily limit whole, with what is left, and credits nothing', async () => {
    // 1500 of 2000 used by the test above.
    const over = await t.api('/v1/wallet/top-ups', { method: 'POST', json: { credits: 600 } });
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    expect(await over.json()).toMatchObject({
      type: '/problems/top-up-daily-limit',
      limit: 2000,
      remaining: 500,
      detail: expect.stringContaining('at most 500 more'),
    });
    expect((await t.server.ledger.balance(userId))?.paid.posted).toBe(1500n);
    const rest = await t.api('/v1/wallet/top-ups', { method: 'POST', json: { credits: 500 } });
    expect(rest.status).toBe(201);
    expect((await t.server.ledger.balance(userId))?.paid.posted).toBe(2000n);
    // Out of the configured bounds (min 500): a validation problem, nothing recorded.
    const tiny = await t.api('/v1/wallet/top-ups', { method: 'POST', json: { credits: 10 } });
    expect(tiny.status).toBe(422);
    expect(await tiny.json()).toMatchObject({ issues: [{ path: '$.credits' }] });
  });

  it('replays a top-up sent again with the same Idempotency-Key instead of crediting twice', async () => {
    const k = (await t.server.keys.create('usr_idem', 'i')).key;
    const send = (credits: number) =>
      t.api('/v1/wallet/top-ups', {
        method: 'POST',
        key: k,
        json: { credits },
        headers: { 'idempotency-key': 'buy-1' },
      });
    const first = (await (await send(800)).json()) as { id: string };
    const again = await send(800);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    expect((await send(900)).status).toBe(409);
    expect((await t.server.ledger.balance('usr_idem'))?.paid.posted).toBe(800n);
    // A key no client could mean (too long, or not printable) is refused before anything is stored.
    for (const bad of ['x'.repeat(6000), 'a b']) {
      const res = await t.api('/v1/wallet/top-ups', {
        method: 'POST',
        key: k,
        json: { credits: 800 },
        headers: { 'idempotency-key': bad },
      });
      expect(res.status).toBe(400);
    }
    expect((await t.server.ledger.balance('usr_idem'))?.paid.posted).toBe(800n);
  });

  it('pays a creator out through the provider, refusing below the minimum, and records each payout', async () => {
    const creator = 'usr_devcreator';
    const k = (await t.server.keys.create(creator, 'c')).key;
    const cash = await earn(t.server.ledger, creator, 'usr_devbuyer', 2500n, 'dev1');
    expect(cash).toBe(2000n);
    expect(await (await t.api('/v1/creator/earnings', { key: k })).json()).toMatchObject({
      cash: { balance: 2000, available: 2000 },
      payoutMinimum: 1000,
    });
    const low = await t.api('/v1/creator/payouts', { method: 'POST', key: k, json: { credits: 999 } });
    expect(low.status).toBe(422);
    expect(await low.json()).toMatchObject({ type: '/problems/below-payout-minimum', minimum: 1000 });
    const tooMuch = await t.api('/v1/creator/payouts', { method: 'POST', key: k, json: { credits: 2001 } });
    expect(tooMuch.status).toBe(409);

    const paid = await t.api('/v1/creator/payouts', { method: 'POST', key: k, json: { credits: 1200 } });
    expect(paid.status).toBe(201);
    const payout = (await paid.json()) as { id: string };
    expect(payout).toMatchObject({ object: 'payout', provider: 'dev', credits: 1200, status: 'paid' });
    expect(payout.id).toMatch(/^pay_/);
    expect(await (await t.api('/v1/creator/earnings', { key: k })).json()).toMatchObject({
      cash: { balance: 800, available: 800 },
    });
    // What is left (800) is below the minimum: "everything" is refused too.
    expect((await t.api('/v1/creator/payouts', { method: 'POST', key: k, json: {} })).status).toBe(422);
    expect(await (await t.api('/v1/creator/payouts', { key: k })).json()).toMatchObject({
      data: [{ id: payout.id, status: 'paid' }],
    });
    expect(events.emitted.at(-1)).toMatchObject({
      userId: creator,
      type: 'payout.paid',
      data: { id: payout.id },
    });
  });

  it('needs wallet:write to move money, and never shows one user another’s records', async () => {
    for (const path of ['/v1/wallet/top-ups', '/v1/creator/payouts']) {
      const r = await t.api(path, { method: 'POST', key: readOnlyKey, json: { credits: 1000 } });
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ type: '/problems/insufficient-scope' });
    }
    expect((await t.api('/v1/wallet/top-ups', { key: readOnlyKey })).status).toBe(200);
    expect((await fetch(`${t.server.url}/v1/wallet`)).status).toBe(401);

    for (const path of ['/v1/wallet/top-ups', '/v1/creator/payouts', '/v1/wallet/transactions']) {
      expect(await (await t.api(path, { key: otherKey })).json()).toEqual({ data: [], nextCursor: null });
    }
    expect((await t.api('/v1/wallet/top-ups?cursor=nope')).status).toBe(400);
  });

  it('leaves the ledger consistent', async () => {
    const report = await t.server.ledger.verify();
    expect(report.offendingAccounts).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
