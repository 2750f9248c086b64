import type { components } from '@jeton/sdk';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, useSession } from '../api.ts';
import { ErrorNotice, Field, Loading, Page } from '../ui/components.tsx';
import { credits, percent, shortCredits, when } from '../ui/format.ts';
import { useLoaded } from '../ui/use-loaded.ts';
import {
  type CreatorAgent,
  DraftActions,
  ok,
  PublishedNotice,
  type PublishedVersion,
} from './studio-actions.tsx';

type Earnings = components['schemas']['Earnings'];
type Payout = components['schemas']['Payout'];

/** The creator studio: becoming a creator, then my agents, my earnings and my payouts. */
export default function StudioPage() {
  const { me } = useSession();
  if (me === undefined) return <Loading />;
  if (me === null) {
    return (
      <Page title="Creator studio">
        <p>
          <Link href="/sign-in">Sign in</Link> to publish agents and earn from their runs.
        </p>
      </Page>
    );
  }
  if (me.creator === null) return <BecomeCreator />;
  return (
    <Page
      title="Creator studio"
      actions={
        <Link href="/studio/new" className="button">
          New agent
        </Link>
      }
    >
      <p className="muted">
        Publishing as <strong>{me.creator.displayName}</strong> (@{me.creator.handle}).
      </p>
      <MyAgents />
      <EarningsAndPayouts />
    </Page>
  );
}

function BecomeCreator() {
  const { refresh } = useSession();
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      ok(await api.api.PUT('/v1/me/creator-profile', { body: { handle, displayName } }));
      await refresh();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Page title="Become a creator">
      <p>
        Publish agents under your handle; buyers pay per run, and you earn the price less the platform’s
        commission.
      </p>
      <form className="card studio-narrow" onSubmit={submit}>
        <Field id="creator-handle" label="Handle" hint="3–32 lowercase letters, digits and inner dashes.">
          <input
            id="creator-handle"
            value={handle}
            onChange={(e) => setHandle(e.target.value)}
            required
            pattern="[a-z0-9][a-z0-9\-]{1,30}[a-z0-9]"
            autoComplete="off"
            aria-describedby="creator-handle-hint"
          />
        </Field>
        <Field id="creator-name" label="Display name">
          <input
            id="creator-name"
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            required
            maxLength={100}
          />
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Become a creator'}
        </button>
      </form>
    </Page>
  );
}

const STATUS_BADGE: Record<CreatorAgent['status'], string> = {
  draft: '',
  published: 'badge-ok',
  maintenance: 'badge-bad',
  deprecated: '',
  suspended: 'badge-bad',
};

const loadMyAgents = async () => ok(await api.api.GET('/v1/creator/agents'));

function MyAgents() {
  const { data: agents, error, reload: load } = useLoaded(loadMyAgents);
  const [published, setPublished] = useState<PublishedVersion | null>(null);

  return (
    <section aria-labelledby="my-agents">
      <h2 id="my-agents">My agents</h2>
      <ErrorNotice error={error} />
      <div aria-live="polite">{published ? <PublishedNotice result={published} /> : null}</div>
      {agents === null ? (
        error ? null : (
          <Loading />
        )
      ) : agents.data.length === 0 ? (
        <p className="card">
          No agent yet. <Link href="/studio/new">Create your first agent</Link>: a prompt, a few input fields
          and a price.
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="studio-table">
              <caption className="sr-only">My agents, with their versions, stats and revenue</caption>
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Status</th>
                  <th scope="col">Versions</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Success</th>
                  <th scope="col">Rating</th>
                  <th scope="col">Revenue</th>
                  <th scope="col">Draft</th>
                </tr>
              </thead>
              <tbody>
                {agents.data.map((a) => (
                  <tr key={a.id} data-slug={a.slug}>
                    <th scope="row" data-label="Agent">
                      {a.status === 'draft' ? a.name : <Link href={`/agents/${a.slug}`}>{a.name}</Link>}
                      <div className="muted small">
                        <code>{a.slug}</code>
                      </div>
                    </th>
                    <td data-label="Status">
                      <span className={`badge ${STATUS_BADGE[a.status]}`}>{a.status}</span>
                    </td>
                    <td data-label="Versions">
                      <div>
                        {a.currentVersion ? <div>live {a.currentVersion.version}</div> : null}
                        {a.pendingVersion ? (
                          <div className="muted">
                            {a.pendingVersion.version} from {when(a.pendingVersion.effectiveAt)}
                          </div>
                        ) : null}
                        {a.latestDraft ? <div className="muted">draft {a.latestDraft.version}</div> : null}
                      </div>
                    </td>
                    <td data-label="Runs">{a.stats.runs.toLocaleString('en-US')}</td>
                    <td data-label="Success">{percent(a.stats.successRate)}</td>
                    <td data-label="Rating">
                      {a.stats.reviews > 0 ? (
                        <span>
                          {a.stats.rating.toFixed(1)} <span className="muted">({a.stats.reviews})</span>
                        </span>
                      ) : (
                        <span className="muted">no review</span>
                      )}
                    </td>
                    <td data-label="Revenue">
                      <div>
                        {shortCredits(a.revenue.creatorCredits)}
                        <div className="muted small">of {shortCredits(a.revenue.grossCredits)} paid</div>
                      </div>
                    </td>
                    <td data-label="Draft">
                      {a.latestDraft ? (
                        <DraftActions
                          slug={a.slug}
                          version={a.latestDraft.version}
                          exampleInput={a.latestDraft.exampleInput}
                          onPublished={(r) => {
                            setPublished(r);
                            void load();
                          }}
                        />
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            Revenue is your share of what buyers paid for each agent’s runs, after the platform’s{' '}
            {agents.commissionBps / 100}% commission. Your own runs are tests: they do not count.
          </p>
        </>
      )}
    </section>
  );
}

function EarningsAndPayouts() {
  const [earnings, setEarnings] = useState<Earnings | null>(null);
  const [payouts, setPayouts] = useState<Payout[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [payoutError, setPayoutError] = useState<unknown>(null);
  const [paid, setPaid] = useState<Payout | null>(null);

  const load = useCallback(async () => {
    try {
      const [e, p] = await Promise.all([
        api.api.GET('/v1/creator/earnings'),
        api.api.GET('/v1/creator/payouts', { params: { query: { limit: 20 } } }),
      ]);
      setEarnings(ok(e));
      setPayouts(ok(p).data);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const requestPayout = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setPayoutError(null);
    setPaid(null);
    try {
      const body = amount.trim() === '' ? {} : { credits: Number(amount) };
      const r = await api.api.POST('/v1/creator/payouts', {
        body,
        params: { header: { 'idempotency-key': crypto.randomUUID() } },
      });
      setPaid(ok(r));
      setAmount('');
      await load();
    } catch (err) {
      setPayoutError(err);
    } finally {
      setBusy(false);
    }
  };

  const withdrawable = earnings?.cash.available ?? 0;
  const minimum = earnings?.payoutMinimum ?? 0;
  return (
    <section aria-labelledby="earnings">
      <h2 id="earnings">Earnings</h2>
      <ErrorNotice error={error} />
      {earnings === null ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <div className="grid studio-earnings">
          <div className="card">
            <h3>Cash</h3>
            <p className="studio-amount">{credits(earnings.cash.balance)}</p>
            <p className="muted small">
              From runs paid with bought credits: withdrawable. {shortCredits(earnings.cash.available)}{' '}
              available now.
            </p>
          </div>
          <div className="card">
            <h3>Platform credits</h3>
            <p className="studio-amount">{credits(earnings.credit.balance)}</p>
            <p className="muted small">
              From runs paid with promotional credits: spendable on Jeton, not withdrawable.
            </p>
          </div>
        </div>
      )}

      <h2 id="payouts">Payouts</h2>
      <form className="card studio-narrow" onSubmit={requestPayout} aria-labelledby="payouts">
        <Field
          id="payout-credits"
          label="Credits to withdraw"
          hint={`Leave empty to withdraw everything withdrawable. Payouts start at ${credits(minimum)}.`}
        >
          <input
            id="payout-credits"
            type="number"
            inputMode="numeric"
            min={minimum || 1}
            max={withdrawable || undefined}
            step={1}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-describedby="payout-credits-hint"
          />
        </Field>
        <p className="muted small">Withdrawable now: {credits(withdrawable)}.</p>
        <ErrorNotice error={payoutError} />
        {paid ? (
          <div className="notice notice-ok" role="status">
            Payout of {credits(paid.credits)} {paid.status === 'paid' ? 'paid' : 'requested (pending)'}.
          </div>
        ) : null}
        <button type="submit" disabled={busy || earnings === null || withdrawable < minimum}>
          {busy ? 'Requesting…' : 'Request a payout'}
        </button>
      </form>
      {payouts && payouts.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">My payouts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Paid</th>
              </tr>
            </thead>
            <tbody>
              {payouts.map((p) => (
                <tr key={p.id}>
                  <td>{when(p.createdAt)}</td>
                  <td>{credits(p.credits)}</td>
                  <td>
                    <span
                      className={`badge ${p.status === 'paid' ? 'badge-ok' : p.status === 'failed' ? 'badge-bad' : ''}`}
                    >
                      {p.status}
                    </span>
                    {p.failure ? <span className="muted"> {p.failure}</span> : null}
                  </td>
                  <td>{when(p.paidAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : payouts ? (
        <p className="muted">No payout yet.</p>
      ) : null}
    </section>
  );
}
