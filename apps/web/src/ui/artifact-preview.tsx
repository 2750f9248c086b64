import type { Artifact } from '@jeton/sdk';
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { parseCsv } from './csv.ts';
import { bytes } from './format.ts';

// three.js comes with the viewer, only when a model is shown.
const GlbViewer = lazy(() => import('./glb-viewer.tsx'));

/** Rows of a CSV shown in its preview (besides its header). */
const CSV_ROWS = 200;
/** How much of a text artifact is read for its preview. */
const TEXT_BYTES = 1024 * 1024;

export type PreviewKind = 'markdown' | 'svg' | 'image' | 'csv' | 'glb' | 'sarif' | 'json' | 'text' | null;

export function previewKind(a: Pick<Artifact, 'mediaType' | 'name'>): PreviewKind {
  const type = a.mediaType.split(';')[0]!.trim().toLowerCase();
  const name = a.name.toLowerCase();
  if (type === 'model/gltf-binary' || name.endsWith('.glb')) return 'glb';
  if (type === 'application/sarif+json' || name.endsWith('.sarif') || name.endsWith('.sarif.json'))
    return 'sarif';
  if (type === 'text/markdown' || name.endsWith('.md')) return 'markdown';
  if (type === 'image/svg+xml') return 'svg';
  if (type === 'image/png' || type === 'image/jpeg' || type === 'image/webp' || type === 'image/gif')
    return 'image';
  if (type === 'text/csv' || name.endsWith('.csv')) return 'csv';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/')) return 'text';
  return null;
}

/** One artifact: its name and size, a preview when its type has one, and a download link. */
export function ArtifactCard({ artifact }: { artifact: Artifact }) {
  const kind = previewKind(artifact);
  const headingId = `artifact-${artifact.id}`;
  return (
    <article className="card artifact" aria-labelledby={headingId}>
      <header className="artifact-header">
        <h3 id={headingId}>{artifact.name}</h3>
        <span className="muted">
          {artifact.mediaType}, {bytes(artifact.size)}
        </span>
        <a
          className="button button-small button-secondary"
          href={artifact.url}
          download={artifact.name}
          aria-label={`Download ${artifact.name}`}
        >
          Download
        </a>
      </header>
      <div className="artifact-preview">
        <Preview artifact={artifact} kind={kind} />
      </div>
    </article>
  );
}

function Preview({ artifact, kind }: { artifact: Artifact; kind: PreviewKind }) {
  switch (kind) {
    case 'glb':
      return (
        <Suspense fallback={<p className="muted">Loading the 3D viewer…</p>}>
          <GlbViewer url={artifact.url} name={artifact.name} />
        </Suspense>
      );
    case 'svg':
      return <SvgPreview artifact={artifact} />;
    case 'image':
      return <img className="artifact-image" src={artifact.url} alt={`Preview of ${artifact.name}`} />;
    case 'markdown':
      return <TextPreview artifact={artifact}>{(text) => <MarkdownView text={text} />}</TextPreview>;
    case 'csv':
      return (
        <TextPreview artifact={artifact}>
          {(text, cut) => <CsvTable text={text} cut={cut} name={artifact.name} />}
        </TextPreview>
      );
    case 'sarif':
      return (
        <TextPreview artifact={artifact}>
          {(text, cut) => <SarifFindings text={text} cut={cut} />}
        </TextPreview>
      );
    case 'json':
    case 'text':
      return (
        <TextPreview artifact={artifact}>
          {(text, cut) => (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls, so the keyboard must reach it.
            <pre className="artifact-text" tabIndex={0}>
              {kind === 'json' && !cut ? prettyJson(text) : text}
              {cut ? '\n…' : ''}
            </pre>
          )}
        </TextPreview>
      );
    default:
      return <p className="muted">No preview for this type of file: download it to open it.</p>;
  }
}

/** Reads the start of an artifact as text (at most TEXT_BYTES; `cut` says whether there was more). */
function useArtifactText(url: string): { text: string; cut: boolean } | { error: string } | null {
  const [state, setState] = useState<{ text: string; cut: boolean } | { error: string } | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setState(null);
    void (async () => {
      try {
        const res = await fetch(url, { credentials: 'same-origin', signal: abort.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.getReader();
        const chunks: Uint8Array[] = [];
        let length = 0;
        let cut = false;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          length += value.byteLength;
          if (length >= TEXT_BYTES) {
            cut = true;
            await reader.cancel();
            break;
          }
        }
        const all = new Uint8Array(Math.min(length, TEXT_BYTES));
        let at = 0;
        for (const c of chunks) {
          const part = c.subarray(0, all.length - at);
          all.set(part, at);
          at += part.length;
          if (at >= all.length) break;
        }
        if (!abort.signal.aborted) setState({ text: new TextDecoder().decode(all), cut });
      } catch (error) {
        if (!abort.signal.aborted)
          setState({ error: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => abort.abort();
  }, [url]);
  return state;
}

function TextPreview({
  artifact,
  children,
}: {
  artifact: Artifact;
  children: (text: string, cut: boolean) => ReactNode;
}) {
  const state = useArtifactText(artifact.url);
  if (!state) return <p className="muted">Loading the preview…</p>;
  if ('error' in state)
    return <p className="notice notice-error">The preview could not be loaded ({state.error}).</p>;
  return <>{children(state.text, state.cut)}</>;
}

// Headings inside an artifact sit under the page's own (h1 the run, h2 the section, h3 the file).
const markdown = new Marked({
  gfm: true,
  async: false,
  walkTokens(token) {
    if (token.type === 'heading') token.depth = Math.min(6, token.depth + 3);
  },
});

/** Markdown written by an agent: rendered, then sanitised (no scripts, no handlers, no remote images). */
export function MarkdownView({ text }: { text: string }) {
  const html = DOMPurify.sanitize(markdown.parse(text, { async: false }), {
    FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'iframe', 'video', 'audio', 'source'],
    FORBID_ATTR: ['style'],
  });
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by DOMPurify just above.
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** An agent-made SVG, as an image (from a blob URL): never inline, so that nothing in it can run. */
function SvgPreview({ artifact }: { artifact: Artifact }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const abort = new AbortController();
    let made: string | null = null;
    void (async () => {
      try {
        const res = await fetch(artifact.url, { credentials: 'same-origin', signal: abort.signal });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const blob = new Blob([await res.arrayBuffer()], { type: 'image/svg+xml' });
        if (abort.signal.aborted) return;
        made = URL.createObjectURL(blob);
        setSrc(made);
      } catch (e) {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      abort.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [artifact.url]);
  if (error) return <p className="notice notice-error">The preview could not be loaded ({error}).</p>;
  if (!src) return <p className="muted">Loading the preview…</p>;
  return <img className="artifact-image artifact-svg" src={src} alt={`Preview of ${artifact.name}`} />;
}

function CsvTable({ text, cut, name }: { text: string; cut: boolean; name: string }) {
  const parsed = parseCsv(text, { maxRows: CSV_ROWS + 1 });
  // A cut text may end in the middle of a record: that one is not shown.
  const rows = cut && !parsed.truncated ? parsed.rows.slice(0, -1) : parsed.rows;
  const [header, ...body] = rows;
  if (!header) return <p className="muted">The file is empty.</p>;
  const more = parsed.truncated || cut;
  const width = Math.max(header.length, ...body.map((r) => r.length));
  const columns = Array.from({ length: width }, (_, i) => i);
  return (
    <>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls, so the keyboard must reach it. */}
      <section className="table-wrap csv-preview" tabIndex={0} aria-label={`Table preview of ${name}`}>
        <table>
          <caption className="sr-only">
            {name}:{' '}
            {more ? `the first ${body.length} rows` : `${body.length} ${body.length === 1 ? 'row' : 'rows'}`}
          </caption>
          <thead>
            <tr>
              {columns.map((i) => (
                <th key={i} scope="col">
                  {header[i] ?? ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((row, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
              <tr key={r}>
                {columns.map((i) => (
                  <td key={i}>{row[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <p className="muted">
        {more ? `The first ${body.length} rows; download the file for all of it.` : `${body.length} rows.`}
      </p>
    </>
  );
}

interface Finding {
  rule: string;
  level: string;
  message: string;
  location: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The results of a SARIF 2.1.0 log, in the order the tool gave them. */
export function sarifFindings(log: unknown): Finding[] {
  const out: Finding[] = [];
  for (const run of list(obj(log).runs)) {
    const rules = list(obj(obj(run.tool).driver).rules);
    for (const r of list(run.results)) {
      const rule =
        typeof r.ruleIndex === 'number' ? obj(rules[r.ruleIndex]) : obj(rules.find((x) => x.id === r.ruleId));
      const physical = obj(obj(list(r.locations)[0]).physicalLocation);
      const file = text(obj(physical.artifactLocation).uri) ?? '';
      const line = obj(physical.region).startLine;
      const message = obj(r.message);
      out.push({
        rule: text(r.ruleId) ?? text(rule.id) ?? 'unknown rule',
        level: text(r.level) ?? text(obj(rule.defaultConfiguration).level) ?? 'warning',
        message: text(message.text) ?? text(message.markdown) ?? text(obj(rule.shortDescription).text) ?? '',
        location: file ? (typeof line === 'number' ? `${file}:${line}` : file) : '',
      });
    }
  }
  return out;
}

function SarifFindings({ text, cut }: { text: string; cut: boolean }) {
  let findings: Finding[];
  try {
    if (cut) throw new Error('too large');
    findings = sarifFindings(JSON.parse(text));
  } catch {
    return (
      <p className="muted">The findings are too large or not valid SARIF to preview: download the file.</p>
    );
  }
  if (findings.length === 0) return <p>No findings.</p>;
  const shown = findings.slice(0, 500);
  return (
    <>
      <p>
        {findings.length} {findings.length === 1 ? 'finding' : 'findings'}
        {shown.length < findings.length ? ` (the first ${shown.length} are listed)` : ''}.
      </p>
      <ul className="sarif-findings">
        {shown.map((f, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: findings may repeat; their order is their identity.
          <li key={i} className={`sarif-${f.level}`}>
            <span className={`badge ${f.level === 'error' ? 'badge-bad' : ''}`}>{f.level}</span>{' '}
            <code>{f.rule}</code> {f.location ? <code className="muted">{f.location}</code> : null}
            <div>{f.message}</div>
          </li>
        ))}
      </ul>
    </>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
