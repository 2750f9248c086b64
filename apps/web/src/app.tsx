import { lazy, Suspense } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { SessionProvider, useSession } from './api.ts';
import { Storefront } from './pages/storefront.tsx';
import { Loading } from './ui/components.tsx';

// The storefront is the page most people land on: it ships in the main bundle; every other page is
// loaded when first visited (the 3D viewer only by the run page that shows a model).
const AgentPage = lazy(() => import('./pages/agent.tsx'));
const RunPage = lazy(() => import('./pages/run.tsx'));
const RunsPage = lazy(() => import('./pages/runs.tsx'));
const WalletPage = lazy(() => import('./pages/wallet.tsx'));
const StudioPage = lazy(() => import('./pages/studio.tsx'));
const NewAgentPage = lazy(() => import('./pages/new-agent.tsx'));
const AccountPage = lazy(() => import('./pages/account.tsx'));
const SignInPage = lazy(() => import('./pages/sign-in.tsx'));

export function App() {
  return (
    <SessionProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/" component={Storefront} />
            <Route path="/agents/:slug">{(p) => <AgentPage slug={p.slug} />}</Route>
            <Route path="/runs">{() => <RunsPage />}</Route>
            <Route path="/runs/:id">{(p) => <RunPage id={p.id} />}</Route>
            <Route path="/wallet">{() => <WalletPage />}</Route>
            <Route path="/studio">{() => <StudioPage />}</Route>
            <Route path="/studio/new">{() => <NewAgentPage />}</Route>
            <Route path="/account">{() => <AccountPage />}</Route>
            <Route path="/sign-in">{() => <SignInPage mode="sign-in" />}</Route>
            <Route path="/sign-up">{() => <SignInPage mode="sign-up" />}</Route>
            <Route>
              <section className="page">
                <h1>Not found</h1>
                <p>
                  Nothing here. <Link href="/">Back to the agents</Link>.
                </p>
              </section>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </SessionProvider>
  );
}

function Header() {
  const { me, signOut } = useSession();
  const [, navigate] = useLocation();
  return (
    <header className="site-header">
      <Link href="/" className="brand" aria-label="Jeton, all agents">
        <span aria-hidden="true" className="brand-coin" />
        Jeton
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link href="/">Agents</Link>
          </li>
          {me ? (
            <>
              <li>
                <Link href="/runs">My runs</Link>
              </li>
              <li>
                <Link href="/wallet">Wallet</Link>
              </li>
              <li>
                <Link href="/studio">Studio</Link>
              </li>
              <li>
                <Link href="/account">Account</Link>
              </li>
              <li>
                <button
                  type="button"
                  className="link-button"
                  onClick={async () => {
                    await signOut();
                    navigate('/');
                  }}
                >
                  Sign out
                </button>
              </li>
            </>
          ) : me === null ? (
            <>
              <li>
                <Link href="/sign-in">Sign in</Link>
              </li>
              <li>
                <Link href="/sign-up" className="button button-small">
                  Sign up
                </Link>
              </li>
            </>
          ) : null}
        </ul>
      </nav>
    </header>
  );
}
