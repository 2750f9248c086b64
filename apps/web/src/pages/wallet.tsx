import type { TopUpPage, TransactionPage, Wallet } from '@jeton/sdk';
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { SignedInPage } from '../ui/account-kit.tsx';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { credits, shortCredits, when } from '../ui/format.ts';
import { LoadMoreButton, usePagedList } from '../ui/paged-list.tsx';

type Transaction = TransactionPage['data'][number];
type TopUp = TopUpPage['data'][number];

const MIN_TOP_UP = 500;
const MAX_TOP_UP = 100_000;
const PRESETS = [500, 1000, 2500, 5000];

const CODES: Record<string, string> = {
  top_up: 'Top-up',
  welcome: 'Welcome credits',
  promo_grant: 'Promotional credits',
  hold: 'Held for a run',
  capture: 'Charged for a run',
  release: 'Released from a hold',
  refund: 'Refund',
  payout: 'Payout',
  earning: 'Earnings',
};
const ACCOUNTS: Record<string, string> = {
  wallet_paid: 'paid',
  wallet_promo: 'promotional',
  earnings_cash: 'earnings (cash)',
  earnings_credit: 'earnings (credit)',
};

export default function WalletPage() {
  return (
    <SignedInPage title="Wallet" what="your credits">
      {() => <WalletView />}
    </SignedInPage>
  );
}

function WalletView() {
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const [topUps, setTopUps] = useState<TopUp[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const history = usePagedList((cursor) => api.wallet.transactions({ limit: 20, cursor }), setError);
  const { items: transactions, reset: showTransactions } = history;

  const load = useCallback(async () => {
    try {
      const [w, t, u] = await Promise.all([
        api.wallet.get(),
        api.wallet.transactions({ limit: 20 }),
        api.wallet.topUps({ limit: 20 }),
      ]);
      setWallet(w);
      showTransactions(t);
      setTopUps(u.data);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [showTransactions]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Page title="Wallet">
      <ErrorNotice error={error} />
      {wallet ? <Balances wallet={wallet} /> : error ? null : <Loading />}
      <TopUpForm onCredited={load} />
      <section aria-labelledby="history-title">
        <h2 id="history-title">Transaction history</h2>
        {transactions === null ? (
          error ? null : (
            <Loading />
          )
        ) : transactions.length === 0 ? (
          <p className="muted">No transactions yet.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="ledger">
                <caption className="sr-only">
                  Your wallet's transactions, newest first (+ credits in, − credits out)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">What</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {transactions.map((t) => (
                    <TransactionRow key={`${t.id}-${t.account}`} t={t} />
                  ))}
                </tbody>
              </table>
            </div>
            <LoadMoreButton list={history} />
          </>
        )}
      </section>
      <section aria-labelledby="top-ups-title">
        <h2 id="top-ups-title">Top-ups</h2>
        {topUps === null ? null : topUps.length === 0 ? (
          <p className="muted">No top-ups yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="top-ups">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col" className="num">
                    Credits
                  </th>
                  <th scope="col">Provider</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {topUps.map((u) => (
                  <tr key={u.id}>
                    <td>{when(u.createdAt)}</td>
                    <td className="num">{credits(u.credits)}</td>
                    <td>{u.provider === 'dev' ? 'Development' : 'Stripe'}</td>
                    <td>
                      <span
                        className={`badge ${u.status === 'credited' ? 'badge-ok' : u.status === 'expired' ? 'badge-bad' : ''}`}
                      >
                        {u.status}
                      </span>
                      {u.creditedAt ? <span className="muted"> {when(u.creditedAt)}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Page>
  );
}

function Balance({
  id,
  title,
  amount,
  children,
  main,
}: {
  id: string;
  title: string;
  amount: number;
  children?: ReactNode;
  main?: boolean;
}) {
  return (
    <section className={`card balance${main ? ' balance-main' : ''}`} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p className="balance-amount">{credits(amount)}</p>
      {children}
    </section>
  );
}

function Balances({ wallet }: { wallet: Wallet }) {
  const earnings = wallet.earnings.cash.balance + wallet.earnings.credit.balance;
  return (
    <section aria-labelledby="balance-title">
      <h2 id="balance-title" className="sr-only">
        Balance
      </h2>
      <div className="balances">
        <Balance id="bal-available" title="Available" amount={wallet.available} main>
          <p className="muted">What you can spend now, paid and promotional.</p>
        </Balance>
        <Balance id="bal-held" title="Held" amount={wallet.held}>
          <p className="muted">Reserved by runs in progress; what they do not use comes back.</p>
        </Balance>
        <Balance id="bal-paid" title="Paid credits" amount={wallet.paid.available}>
          <p className="muted">available of {shortCredits(wallet.paid.balance)} balance</p>
        </Balance>
        <Balance id="bal-promo" title="Promotional credits" amount={wallet.promo.available}>
          <p className="muted">available of {shortCredits(wallet.promo.balance)} balance; spent first</p>
        </Balance>
        {earnings > 0 ? (
          <Balance id="bal-earnings" title="Earnings" amount={earnings}>
            <p className="muted">
              {shortCredits(wallet.earnings.cash.available)} payable in cash,{' '}
              {shortCredits(wallet.earnings.credit.available)} as credit. <Link href="/studio">Studio</Link>
            </p>
          </Balance>
        ) : null}
      </div>
    </section>
  );
}

function TransactionRow({ t }: { t: Transaction }) {
  const incoming = t.direction === 'credit';
  const what = CODES[t.code] ?? t.code.replaceAll('_', ' ');
  const ref = t.reference;
  return (
    <tr>
      <td>{when(t.createdAt)}</td>
      <td>
        {what}
        <span className="muted">
          {' '}
          · {ACCOUNTS[t.account] ?? t.account}
          {t.phase && t.phase !== 'posted' && t.phase !== t.code ? ` · ${t.phase.replaceAll('_', ' ')}` : ''}
        </span>
        {ref ? (
          <div className="muted small">
            {ref.startsWith('run_') ? <Link href={`/runs/${ref}`}>{ref}</Link> : <code>{ref}</code>}
          </div>
        ) : null}
      </td>
      <td className={`num amount ${incoming ? 'amount-in' : 'amount-out'}`}>
        {incoming ? '+' : '−'}
        {shortCredits(t.amount)}
      </td>
    </tr>
  );
}

function TopUpForm({ onCredited }: { onCredited: () => Promise<void> }) {
  const id = useId();
  const [amount, setAmount] = useState('1000');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  // One key per intended purchase: a retry after a lost answer is the same top-up, not another.
  const key = useRef<string>(crypto.randomUUID());
  const n = Number(amount);
  const valid = Number.isInteger(n) && n >= MIN_TOP_UP && n <= MAX_TOP_UP;

  function change(value: string) {
    setAmount(value);
    setDone(null);
    key.current = crypto.randomUUID();
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const topUp = await api.wallet.createTopUp({ credits: n }, { idempotencyKey: key.current });
      key.current = crypto.randomUUID();
      if (topUp.url) {
        window.location.assign(topUp.url);
        return;
      }
      setDone(
        topUp.status === 'credited'
          ? `${credits(topUp.credits)} added to your wallet.`
          : `Top-up of ${credits(topUp.credits)} started (${topUp.status}).`,
      );
      await onCredited();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="top-up-title" className="card top-up">
      <h2 id="top-up-title">Buy credits</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-credits`}>Credits to buy</label>
          <div className="row">
            <input
              id={`${id}-credits`}
              type="number"
              inputMode="numeric"
              min={MIN_TOP_UP}
              max={MAX_TOP_UP}
              step={1}
              required
              value={amount}
              onChange={(e) => change(e.target.value)}
              aria-describedby={`${id}-hint ${id}-price`}
            />
            <output id={`${id}-price`} htmlFor={`${id}-credits`} className="top-up-price">
              {valid ? `= ${(n / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' })}` : ''}
            </output>
          </div>
          <small id={`${id}-hint`} className="muted">
            1 credit = US$0.01; from {MIN_TOP_UP.toLocaleString('en-US')} to{' '}
            {MAX_TOP_UP.toLocaleString('en-US')} credits.
          </small>
        </div>
        <fieldset className="presets">
          <legend className="sr-only">Common amounts</legend>
          {PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              className="secondary button-small"
              aria-pressed={n === p}
              onClick={() => change(String(p))}
            >
              {p.toLocaleString('en-US')}
            </button>
          ))}
        </fieldset>
        <ErrorNotice error={error} />
        {done ? (
          <p className="notice notice-ok" role="status">
            {done}
          </p>
        ) : null}
        <button type="submit" disabled={busy || !valid}>
          {busy ? 'Buying…' : 'Top up'}
        </button>
      </form>
    </section>
  );
}
