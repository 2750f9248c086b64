import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { Run } from '@jeton/sdk';
import { integer, parse } from '../api/args.ts';
import { client } from '../api/config.ts';
import { UsageError } from '../api/report.ts';
import { defaultOutDir, downloadArtifacts } from './run-artifacts.ts';
import { addFile, buildInput, type InputSchema, mediaTypeOf, splitPair } from './run-input.ts';
import { progressView } from './run-progress.ts';

export const runUsage = `Usage: jeton run <agent> [--input name=value]... [--file name=path]... [--max-credits n]
                 [--out dir] [--timeout seconds] [--json]

Runs an agent (slug, or slug@version) for the logged-in user, follows it live, then downloads its
artifacts. Progress goes to stderr (a bar on a terminal, plain lines otherwise).

  --input name=value   an input field; repeat for each. Numbers, true/false, and JSON for objects and
                       arrays are read as the agent's input schema says (see jeton agents show)
  --file name=path     uploads a file for a file field, and puts its id in the input
  --max-credits n      refuse to run if the quote is higher than n credits
  --out dir            where the artifacts go (default ./<run id>/)
  --timeout seconds    stop waiting after this long (the run goes on; exit code 3)
  --json               print the final run and the downloaded artifacts as JSON on stdout

Exit codes:
  0  succeeded
  1  failed (the refund is printed), or the API refused the run (unknown agent, no credits, ...)
  2  usage: a bad option, or an input the agent refuses (each problem is named with its path)
  3  timed out (the run's own time limit, or --timeout)
  4  cancelled`;

const EXIT_BY_STATUS: Record<string, number> = { succeeded: 0, failed: 1, timed_out: 3, cancelled: 4 };

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    input: { type: 'string', multiple: true },
    file: { type: 'string', multiple: true },
    'max-credits': { type: 'string' },
    out: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [agent, extra] = positionals;
  if (!agent || extra) throw new UsageError('Name one agent: jeton run <agent> --input name=value');
  const maxCredits = integer(values['max-credits'], '--max-credits');
  const timeout = integer(values.timeout, '--timeout');
  const files = (values.file ?? []).map((pair) => splitPair(pair, '--file'));

  const jeton = client();
  const slug = agent.split('@')[0]!;
  // The input schema says how to read each value; the page is public and the server checks again.
  const page = await jeton.agents.get(slug);
  const schema = page.version?.input as InputSchema | undefined;
  const input = buildInput(values.input ?? [], schema);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  for (const [field, path] of files) {
    let blob: Blob;
    try {
      blob = await openAsBlob(path);
    } catch {
      throw new UsageError(`--file ${field}: cannot read ${path}`);
    }
    const uploaded = await jeton.files.upload(blob, {
      name: basename(path),
      mediaType: mediaTypeOf(path),
      agent: slug,
      field,
    });
    log(`Uploaded ${path} (${uploaded.size} bytes) as ${uploaded.id}`);
    addFile(input, field, uploaded.id, schema);
  }

  const created = await jeton.runs.create({ agent, input, ...(maxCredits ? { maxCredits } : {}) });
  log(
    `Run ${created.id}: ${created.agent.slug} ${created.agent.version}, up to ${created.quote} credits held`,
  );
  const view = progressView();
  let final: Run;
  try {
    final = await jeton.runs.wait(created.id, {
      onEvent: view.onEvent,
      ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
    });
  } catch (error) {
    view.done();
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      log(`Stopped waiting after ${timeout} s; ${created.id} goes on without us.`);
      return 3;
    }
    throw error;
  }
  view.done();

  const dir = values.out ?? defaultOutDir(final.id);
  const artifacts = await downloadArtifacts(jeton, final.id, dir);
  if (values.json) {
    console.log(JSON.stringify({ run: final, artifacts }, null, 2));
  } else {
    console.log(`${final.status}: charged ${final.charged ?? 0} credits, refunded ${final.refunded ?? 0}.`);
    if (final.failure) console.log(`Why: ${final.failure.message} (${final.failure.code})`);
    for (const a of artifacts) console.log(`  ${a.path} (${a.size} bytes)`);
  }
  return EXIT_BY_STATUS[final.status] ?? 1;
}
