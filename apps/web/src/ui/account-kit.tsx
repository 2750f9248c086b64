import type { RunStatus } from '@jeton/sdk';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { type Me, useSession } from '../api.ts';
import { Loading, Page } from './components.tsx';

/** What a signed-out visitor sees on a page that needs an account: a way in, and back here after. */
export function SignInPrompt({ title, what }: { title: string; what: string }) {
  const [location] = useLocation();
  const next = encodeURIComponent(location);
  return (
    <Page title={title}>
      <p>
        <Link href={`/sign-in?next=${next}`}>Sign in</Link> to see {what}, or{' '}
        <Link href={`/sign-up?next=${next}`}>create an account</Link> (200 free credits to start).
      </p>
    </Page>
  );
}

/** A page for the signed-in: loading while the session is read, a way in when signed out, else the page. */
export function SignedInPage({
  title,
  what,
  children,
}: {
  title: string;
  what: string;
  children: (me: Me) => ReactNode;
}) {
  const { me } = useSession();
  if (me === undefined) return <Loading />;
  if (me === null) return <SignInPrompt title={title} what={what} />;
  return children(me);
}

/**
 * A secret shown once (an API key, a webhook signing secret): a Copy button, and the value in a
 * read-only input, selected, for when the clipboard is not available.
 */
export function SecretOnce({
  label,
  value,
  onDone,
  children,
}: {
  label: string;
  value: string;
  onDone: () => void;
  children?: ReactNode;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      input.current?.focus();
      input.current?.select();
      setCopied('no');
    }
  }
  return (
    <div className="secret-once notice notice-ok">
      <p id={`${id}-notice`}>
        <strong>Copy it now: you will not see it again.</strong> {children}
      </p>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <div className="secret-row">
          <input
            ref={input}
            id={id}
            readOnly
            value={value}
            spellCheck={false}
            className="secret-value"
            aria-describedby={`${id}-notice`}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={copy}>
            Copy
          </button>
        </div>
        <span aria-live="polite" className="muted">
          {copied === 'yes'
            ? 'Copied to the clipboard.'
            : copied === 'no'
              ? 'Could not reach the clipboard: the text is selected, copy it with Ctrl+C (⌘C).'
              : ''}
        </span>
      </div>
      <button type="button" className="secondary" onClick={onDone}>
        I have stored it
      </button>
    </div>
  );
}

const STATUS_CLASS: Record<RunStatus, string> = {
  queued: '',
  running: '',
  awaiting_input: 'badge-warn',
  succeeded: 'badge-ok',
  failed: 'badge-bad',
  cancelled: '',
  timed_out: 'badge-bad',
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return <span className={`badge ${STATUS_CLASS[status]}`}>{status.replace('_', ' ')}</span>;
}
