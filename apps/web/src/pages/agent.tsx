import { type AgentPage as Agent, NotFoundError } from '@jeton/sdk';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { PriceBox } from './agent/price-box.tsx';
import { Reviews } from './agent/reviews.tsx';
import { RunForm } from './agent/run-form.tsx';
import { Stats } from './agent/track-record.tsx';
import { Versions } from './agent/versions.tsx';
import { categoryTitle, Rating, TestBadge } from './storefront.tsx';

/**
 * An agent's page: what it does, what it costs (and what it will cost), how it has done, and the form
 * drawn from its input schema, with the quote shown before running.
 */

/** Markdown from a creator, as safe HTML: rendered by marked, then sanitised by DOMPurify. */
function markdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'] });
}

export default function AgentPage({ slug }: { slug: string }) {
  const [agent, setAgent] = useState<Agent | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setAgent(null);
    setError(null);
    api.agents.get(slug).then(
      (a) => {
        if (live) setAgent(a);
      },
      (e) => {
        if (live) setError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [slug]);

  useEffect(() => {
    if (agent) document.title = `${agent.name} · Jeton`;
    return () => {
      document.title = 'Jeton';
    };
  }, [agent]);

  if (error instanceof NotFoundError) {
    return (
      <Page title="No such agent">
        <p>
          There is no agent called “{slug}”. <Link href="/">Back to the agents</Link>.
        </p>
      </Page>
    );
  }
  if (error) {
    return (
      <Page title="Agent">
        <ErrorNotice error={error} />
      </Page>
    );
  }
  if (!agent) return <Loading />;
  return <AgentView agent={agent} />;
}

function AgentView({ agent }: { agent: Agent }) {
  const version = agent.version;
  const description = useMemo(() => markdown(agent.description || agent.summary), [agent]);
  const s = agent.stats;
  return (
    <article className="page agent-page" aria-labelledby="page-title">
      <header className="agent-header">
        <p className="agent-breadcrumb">
          <Link href="/">Agents</Link> <span aria-hidden="true">›</span>{' '}
          <Link href={`/?category=${encodeURIComponent(agent.category)}`}>
            {categoryTitle(agent.category)}
          </Link>
        </p>
        <h1 id="page-title">{agent.name}</h1>
        <p className="agent-summary">{agent.summary}</p>
        <p className="row muted">
          {agent.creator ? <span>by {agent.creator.name}</span> : null}
          <Rating rating={s.rating} reviews={s.reviews} />
          <TestBadge lastTest={s.lastTest} />
          {agent.needsModel ? <span className="badge">Needs a model</span> : null}
          {version ? <span>Version {version.version}</span> : null}
        </p>
      </header>

      {version && !version.available ? (
        <div className="notice notice-error" role="alert">
          This agent cannot run right now{version.unavailableReason ? `: ${version.unavailableReason}` : '.'}
        </div>
      ) : null}

      <div className="agent-layout">
        <div className="agent-main">
          <section aria-labelledby="about-title">
            <h2 id="about-title">About</h2>
            {/* Sanitised by DOMPurify (markdown() above). */}
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised HTML from Markdown */}
            <div className="markdown" dangerouslySetInnerHTML={{ __html: description }} />
            {version?.outputs?.length ? (
              <>
                <h3>What you get</h3>
                <ul>
                  {version.outputs.map((o, i) => (
                    <li key={String(o.name ?? i)}>
                      <code>{String(o.name ?? '')}</code>
                      {typeof o.description === 'string' ? ` — ${o.description}` : null}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>

          <Stats agent={agent} />
          <Versions agent={agent} />
          <Reviews slug={agent.slug} count={s.reviews} />
        </div>

        <aside className="agent-side" aria-label="Price and run">
          <PriceBox agent={agent} />
          {version ? (
            <RunForm agent={agent} />
          ) : (
            <p className="muted">No version of this agent is published.</p>
          )}
        </aside>
      </div>
    </article>
  );
}
