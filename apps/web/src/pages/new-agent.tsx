import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, useSession } from '../api.ts';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { AgentForm } from './new-agent/agent-form.tsx';
import { type FormState, initialForm, type Json } from './new-agent/form-state.ts';
import { issuesAt, useLiveValidation } from './new-agent/live-validation.ts';
import { buildManifest, exampleInputOf, formFromManifestText } from './new-agent/manifest.ts';
import { ManifestEditor } from './new-agent/manifest-editor.tsx';
import { type Tab, TabButton, TabPanel } from './new-agent/tabs.tsx';
import { useCategories } from './new-agent/use-categories.ts';
import { ValidationSummary } from './new-agent/validation-summary.tsx';
import { DraftActions, ok } from './studio-actions.tsx';

/**
 * A new prompt agent, from a form or from its manifest: both build the same manifest, which the
 * platform validates live (`POST /v1/agents/validate`, the draft's own rules: no second validator
 * here), and "Save draft" sends it as `POST /v1/agents` does from the CLI.
 */

export default function NewAgentPage() {
  const { me } = useSession();
  if (me === undefined) return <Loading />;
  if (!me || me.creator === null) {
    return (
      <Page title="New agent">
        <p>
          {me ? (
            <>
              <Link href="/studio">Become a creator</Link> first
            </>
          ) : (
            <>
              <Link href="/sign-in">Sign in</Link> and become a creator
            </>
          )}{' '}
          to publish agents.
        </p>
      </Page>
    );
  }
  return <NewAgent />;
}

function NewAgent() {
  const categories = useCategories();
  const [tab, setTab] = useState<Tab>('form');
  const [form, setForm] = useState<FormState>(initialForm);
  const [text, setText] = useState(() => JSON.stringify(buildManifest(initialForm()), null, 2));
  /** Which side was edited last: that one is the manifest. */
  const [source, setSource] = useState<Tab>('form');
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<{ slug: string; version: string; exampleInput: Json } | null>(null);
  const [touched, setTouched] = useState(false);

  const manifest = useMemo(() => buildManifest(form), [form]);
  const payload = !touched ? null : source === 'form' ? { manifest } : { text };
  const verdict = useLiveValidation(payload);

  const edit = (change: (f: FormState) => FormState) => {
    setForm((f) => change(f));
    setSource('form');
    setTouched(true);
    setSaved(null);
  };

  const editText = (next: string) => {
    setText(next);
    setSource('editor');
    setTouched(true);
    setSaved(null);
  };

  const switchTo = (next: Tab) => {
    if (next === tab) return;
    if (next === 'editor' && source === 'form') setText(JSON.stringify(manifest, null, 2));
    if (next === 'form' && source === 'editor') {
      const loaded = formFromManifestText(text, form);
      if (typeof loaded === 'string')
        setFormProblem(`The form shows the last manifest it could read: ${loaded}.`);
      else {
        setForm(loaded);
        setFormProblem(null);
        setSource('form');
      }
    }
    setTab(next);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(null);
    setSaved(null);
    try {
      const body = source === 'form' ? manifest : (JSON.parse(text) as Json);
      const r = ok(await api.api.POST('/v1/agents', { body: { manifest: body } }));
      setSaved({ slug: r.agent.slug, version: r.version.version, exampleInput: exampleInputOf(body) });
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const at = issuesAt(verdict.state === 'done' ? verdict.issues : []);

  return (
    <Page title="New agent" actions={<Link href="/studio">Back to the studio</Link>}>
      <form onSubmit={save} noValidate aria-describedby="validation-status">
        <div role="tablist" aria-label="How to write the agent" className="tabs">
          <TabButton id="form" current={tab} onSelect={switchTo}>
            Form
          </TabButton>
          <TabButton id="editor" current={tab} onSelect={switchTo}>
            Manifest
          </TabButton>
        </div>

        <TabPanel id="form" current={tab}>
          {formProblem ? <div className="notice notice-error">{formProblem}</div> : null}
          <AgentForm form={form} edit={edit} categories={categories} at={at} />
        </TabPanel>

        <TabPanel id="editor" current={tab}>
          <ManifestEditor text={text} invalid={verdict.state === 'done' && !verdict.ok} onChange={editText} />
        </TabPanel>

        <ValidationSummary verdict={verdict} touched={touched} showAll={tab === 'editor'} />

        <ErrorNotice error={saveError} />
        <div className="row">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save draft'}
          </button>
          <span className="muted small">A draft is yours only: run it, then publish it.</span>
        </div>
      </form>

      {saved ? (
        <section className="card studio-saved" aria-labelledby="saved-title">
          <h2 id="saved-title">
            Draft {saved.slug}@{saved.version} saved
          </h2>
          <DraftActions slug={saved.slug} version={saved.version} exampleInput={saved.exampleInput} />
          <p className="muted small">
            Or find it in <Link href="/studio">the studio</Link>.
          </p>
        </section>
      ) : null}
    </Page>
  );
}
