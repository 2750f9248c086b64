import { errorFromResponse, JetonError } from '@jeton/sdk';
import { type FormEvent, type InputHTMLAttributes, useId, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, useSession } from '../api.ts';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';

type Mode = 'sign-in' | 'sign-up';
type FieldName = 'name' | 'email' | 'password';

/** Where to go after signing in: only a path on this site (`/wallet`), never `//evil.example`. */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

/** The problem's issues (`$.email`) and statuses, as messages next to the fields they concern. */
function fieldErrors(error: unknown): Partial<Record<FieldName, string>> {
  if (!(error instanceof JetonError)) return {};
  const out: Partial<Record<FieldName, string>> = {};
  for (const issue of error.issues) {
    const field = issue.path.replace(/^\$\.?/, '').split('.')[0];
    if ((field === 'name' || field === 'email' || field === 'password') && !out[field]) {
      out[field] = issue.message;
    }
  }
  if (error.status === 409) out.email ??= 'An account with this email exists: sign in instead.';
  if (error.status === 401) out.password ??= 'Wrong email or password.';
  return out;
}

/** The shared notice shows a problem's detail alone; here its title is the news ("Wrong email or password"). */
function headline(error: unknown): unknown {
  if (!(error instanceof JetonError) || error.issues.length > 0 || !error.detail) return error;
  return new Error(`${error.title}. ${error.detail}`);
}

export default function SignInPage({ mode }: { mode: Mode }) {
  const { me, refresh } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const next = safeNext(search);
  const id = useId();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const signUp = mode === 'sign-up';
  const errors = fieldErrors(error);
  const nextQuery = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = signUp
        ? await api.api.POST('/v1/auth/sign-up', { body: { name: name.trim(), email, password } })
        : await api.api.POST('/v1/auth/sign-in', { body: { email, password } });
      if (!result.response.ok) throw errorFromResponse(result.response, result.error);
      await refresh();
      navigate(next);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (me === undefined) return <Loading />;
  if (me && !busy) {
    return (
      <Page title={signUp ? 'Create an account' : 'Sign in'}>
        <p>
          You are signed in as <strong>{me.email}</strong>. <Link href={next}>Continue</Link>, or sign out
          first to use another account.
        </p>
      </Page>
    );
  }

  return (
    <Page title={signUp ? 'Create an account' : 'Sign in'}>
      <div className="auth-card card">
        {signUp ? (
          <p className="muted">New accounts get 200 free promotional credits ($2.00) to try any agent.</p>
        ) : null}
        <form onSubmit={submit}>
          {signUp ? (
            <AuthField
              id={id}
              field="name"
              label="Name"
              error={errors.name}
              autoComplete="name"
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          ) : null}
          <AuthField
            id={id}
            field="email"
            label="Email"
            error={errors.email}
            type="email"
            autoComplete={signUp ? 'email' : 'username'}
            inputMode="email"
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <AuthField
            id={id}
            field="password"
            label="Password"
            error={errors.password}
            hint={signUp ? 'At least 10 characters.' : undefined}
            type="password"
            autoComplete={signUp ? 'new-password' : 'current-password'}
            required
            minLength={signUp ? 10 : undefined}
            maxLength={200}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <ErrorNotice error={headline(error)} />
          <button type="submit" disabled={busy}>
            {signUp ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p className="auth-switch">
          {signUp ? (
            <>
              Already have an account? <Link href={`/sign-in${nextQuery}`}>Sign in</Link>
            </>
          ) : (
            <>
              New to Jeton? <Link href={`/sign-up${nextQuery}`}>Create an account</Link>
            </>
          )}
        </p>
      </div>
    </Page>
  );
}

/** A field of the sign-in form: its label, its hint and the server's message about it, tied to the input. */
function AuthField({
  id,
  field,
  label,
  error,
  hint,
  ...input
}: {
  /** The form's id: the input's is `${id}-${field}`. */
  id: string;
  field: FieldName;
  label: string;
  error: string | undefined;
  hint?: string | undefined;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name'>) {
  const inputId = `${id}-${field}`;
  const described =
    [hint ? `${inputId}-hint` : '', error ? `${inputId}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={field}
        {...input}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
      />
      {hint ? (
        <small id={`${inputId}-hint`} className="muted">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${inputId}-error`} className="auth-field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}
