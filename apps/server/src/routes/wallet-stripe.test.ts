import { testEngines } from '@jeton/db/testing';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaymentsConfig } from '../payments/config.ts';
import { FakeStripe } from '../payments/fake-stripe.ts';
import { StripePaymentProvider } from '../payments/stripe-provider.ts';
import { earn, RecordingEvents, startWalletServer, type WalletTestServer } from '../payments/test-server.ts';

const SECRET = 'whsec_test_secret';
const signer = new Stripe('sk_test_signer');

/** A Checkout Session event, signed locally as Stripe would sign it. */
function signed(type: string, session: Record<string, unknown>, eventId: string, secret = SECRET) {
  const payload = JSON.stringify({
    id: eventId,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { object: 'checkout.session', currency: 'usd', ...session } },
  });
  return { payload, signature: signer.webhooks.generateTestHeaderString({ payload, secret }) };
}

describe.each(testEngines())('wallet API with Stripe on %s', (engine) => {
  const fake = new FakeStripe();
  const events = new RecordingEvents();
  let t: WalletTestServer;
  let key: string;
  const userId = 'usr_stripebuyer';

  const post = (body: { payload: string; signature?: string }) =>
    fetch(`${t.server.url}/v1/payments/stripe/webhook`, {
      method: 'POST',
      body: body.payload,
      headers: {
        'content-type': 'application/json',
        ...(body.signature ? { 'stripe-signature': body.signature } : {}),
      },
    });
  const checkout = async (credits: number) => {
    const res = await t.api('/v1/wallet/top-ups', { method: 'POST', json: { credits } });
    expect(res.status).toBe(201);
    const top = (await res.json()) as { id: string; url: string; status: string };
    const request = fake.requests.at(-1)!;
    return { top, sessionId: top.url.split('/').at(-1)!, request };
  };
  const paid = async () => (await t.server.ledger.balance(userId))?.paid.posted ?? 0n;

  beforeAll(async () => {
    const stripe = await fake.start();
    const loaded = loadPaymentsConfig({
      JETON_PAYMENTS_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_fake',
      STRIPE_WEBHOOK_SECRET: SECRET,
      JETON_PUBLIC_URL: 'https://jeton.example',
    });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const provider = new StripePaymentProvider(stripe, {
      webhookSecret: SECRET,
      publicUrl: 'https://jeton.example',
    });
    t = await startWalletServer(engine, { config: loaded.config, provider, events }, () => key);
    key = (await t.server.keys.create(userId, 'tests')).key;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });

  it('creates a Checkout Session for the amount in cents and answers a pending top-up with its url', async () => {
    const { top, sessionId, request } = await checkout(1500);
    expect(top).toMatchObject({ provider: 'stripe', credits: 1500, status: 'pending' });
    expect(top.url).toBe(`https://checkout.stripe.test/c/pay/${sessionId}`);
    expect(request).toMatchObject({
      path: '/v1/checkout/sessions',
      idempotencyKey: `checkout:${top.id}`,
      form: {
        mode: 'payment',
        'line_items[0][quantity]': '1',
        'line_items[0][price_data][currency]': 'usd',
        'line_items[0][price_data][unit_amount]': '1500',
        client_reference_id: top.id,
        'metadata[user_id]': userId,
        success_url: `https://jeton.example/wallet?top_up=${top.id}&result=success`,
      },
    });
    expect(await paid()).toBe(0n);
  });

  it('credits a paid session once: replays and a second event for the same session change nothing', async () => {
    const { top, sessionId } = await checkout(2000);
    const session = {
      id: sessionId,
      payment_status: 'paid',
      amount_total: 2000,
      client_reference_id: top.id,
    };
    const before = await paid();
    const completed = signed('checkout.session.completed', session, 'evt_paid_1');
    const first = await post(completed);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'credited' });
    expect(await paid()).toBe(before + 2000n);

    expect(await (await post(completed)).json()).toMatchObject({ outcome: 'already_credited' });
    const async = signed('checkout.session.async_payment_succeeded', session, 'evt_paid_2');
    expect(await (await post(async)).json()).toMatchObject({ outcome: 'already_credited' });
    expect(await paid()).toBe(before + 2000n);

    const list = (await (await t.api('/v1/wallet/top-ups')).json()) as {
      data: { id: string; status: string }[];
    };
    expect(list.data.find((x) => x.id === top.id)).toMatchObject({ status: 'credited' });
    expect(events.emitted.filter((e) => e.type === 'top_up.credited')).toEqual([
      { userId, type: 'top_up.credited', data: expect.objectContaining({ id: top.id }) },
    ]);
  });

  it('refuses a bad or missing signature with a 400 problem and credits nothing', async () => {
    const { sessionId } = await checkout(900);
    const session = { id: sessionId, payment_status: 'paid', amount_total: 900 };
    const before = await paid();
    const forged = signed('checkout.session.completed', session, 'evt_forged', 'whsec_someone_else');
    const bad = await post(forged);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: '/problems/invalid-signature' });
    // A signed body altered afterwards no longer matches its signature.
    const good = signed('checkout.session.completed', { ...session, amount_total: 9 }, 'evt_altered');
    expect(
      (
        await post({
          payload: good.payload.replace('"amount_total":9', '"amount_total":900'),
          signature: good.signature,
        })
      ).status,
    ).toBe(400);
    expect((await post({ payload: forged.payload })).status).toBe(400);
    expect(await paid()).toBe(before);
  });

  it('credits nothing for an unpaid session, a wrong amount or an unknown one; ignores other events with 200', async () => {
    const { sessionId } = await checkout(700);
    const before = await paid();
    const unpaid = signed(
      'checkout.session.completed',
      { id: sessionId, payment_status: 'unpaid', amount_total: 700 },
      'evt_u',
    );
    expect(await (await post(unpaid)).json()).toMatchObject({ outcome: 'ignored' });
    const wrong = signed(
      'checkout.session.completed',
      { id: sessionId, payment_status: 'paid', amount_total: 70 },
      'evt_w',
    );
    expect(await (await post(wrong)).json()).toMatchObject({ outcome: 'ignored' });
    const stranger = signed(
      'checkout.session.completed',
      { id: 'cs_not_ours', payment_status: 'paid', amount_total: 700 },
      'evt_s',
    );
    expect(await (await post(stranger)).json()).toMatchObject({ outcome: 'unknown_payment' });
    const other = await post(signed('customer.created', { id: 'cus_1', object: 'customer' }, 'evt_c'));
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ outcome: 'ignored' });
    expect(await paid()).toBe(before);

    expect(
      await (await post(signed('checkout.session.expired', { id: sessionId }, 'evt_e'))).json(),
    ).toMatchObject({
      outcome: 'expired',
    });
    const list = (await (await t.api('/v1/wallet/top-ups')).json()) as { data: { status: string }[] };
    expect(list.data[0]).toMatchObject({ status: 'expired' });
  });

  it('pays a creator with a Connect transfer; a refused transfer gives the earnings back and records the failure', async () => {
    // A signed-up creator: where payouts go is set from a session, never with a key.
    const signUp = await fetch(`${t.server.url}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `creator-${engine}@example.com`,
        password: 'a long enough password',
        name: 'C',
      }),
    });
    const cookie = signUp.headers.get('set-cookie')!.split(';')[0]!;
    const creator = ((await signUp.json()) as { id: string }).id;
    const k = (await t.server.keys.create(creator, 'c')).key;
    const withSession = (json: unknown) =>
      fetch(`${t.server.url}/v1/creator/payout-account`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(json),
      });
    await earn(t.server.ledger, creator, 'usr_stripefan', 5000n, 'stripe1'); // 4000 withdrawable
    const payout = (credits: number) =>
      t.api('/v1/creator/payouts', { method: 'POST', key: k, json: { credits } });
    const earnings = async () => (await t.server.ledger.balance(creator))?.earnings.cash.available;

    const noAccount = await payout(1000);
    expect(noAccount.status).toBe(409);
    expect(await noAccount.json()).toMatchObject({ type: '/problems/payout-account-missing' });
    const withKey = await t.api('/v1/creator/payout-account', {
      method: 'PUT',
      key: k,
      json: { accountRef: 'acct_1Thief' },
    });
    expect(withKey.status).toBe(403);
    expect(await withKey.json()).toMatchObject({ type: '/problems/session-required' });
    const badAccount = await withSession({ accountRef: 'bank-123' });
    expect(badAccount.status).toBe(422);
    const set = await withSession({ accountRef: 'acct_1Creator' });
    expect(await set.json()).toEqual({
      object: 'payout_account',
      provider: 'stripe',
      accountRef: 'acct_1Creator',
    });

    const ok = await payout(1000);
    expect(ok.status).toBe(201);
    const done = (await ok.json()) as { id: string; providerRef: string };
    expect(done).toMatchObject({ status: 'paid', credits: 1000, providerRef: expect.stringMatching(/^tr_/) });
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/v1/transfers',
      idempotencyKey: `payout:${done.id}`,
      form: { amount: '1000', currency: 'usd', destination: 'acct_1Creator', 'metadata[payout_id]': done.id },
    });
    expect(await earnings()).toBe(3000n);

    fake.nextTransfer = 'refuse';
    const refused = await payout(1500);
    expect(refused.status).toBe(502);
    const problem = (await refused.json()) as { payout: { id: string } };
    expect(problem).toMatchObject({
      type: '/problems/payout-failed',
      payout: { status: 'failed', credits: 1500, failure: expect.stringContaining('No such destination') },
    });
    expect(await earnings()).toBe(3000n);
    expect(events.emitted.at(-1)).toMatchObject({ type: 'payout.failed', data: { id: problem.payout.id } });

    // An unknown outcome (a 5xx) may have moved money: nothing is given back, the payout stays pending.
    fake.nextTransfer = 'crash';
    const unknown = await payout(1000);
    expect(unknown.status).toBe(202);
    expect(await unknown.json()).toMatchObject({
      status: 'pending',
      failure: expect.stringContaining('outcome unknown'),
    });
    expect(await earnings()).toBe(2000n);

    const list = (await (await t.api('/v1/creator/payouts', { key: k })).json()) as {
      data: { status: string }[];
    };
    expect(list.data.map((p) => p.status)).toEqual(['pending', 'failed', 'paid']);
    // The buyer sees none of it.
    expect(await (await t.api('/v1/creator/payouts')).json()).toEqual({ data: [], nextCursor: null });
  });

  it('leaves the ledger consistent', async () => {
    const report = await t.server.ledger.verify();
    expect(report.offendingAccounts).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
