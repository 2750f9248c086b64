import { resolve } from 'node:path';
import { parse } from '../api/args.ts';
import { apiSettings } from '../api/config.ts';
import { requestJson } from '../api/raw.ts';
import { UsageError } from '../api/report.ts';

export const publishUsage = `Usage: jeton agent publish [dir] [--draft] [--json]

Validates the agent's folder (default .), uploads its manifest and code bundle as a draft version,
then publishes that version (the platform runs its test cases first). Needs a key with the
agents:write scope. A published version never changes: raise "version" to publish again.

  --draft    upload the draft only, do not publish it
  --json     print the server's answers as JSON

Exit codes: 0 published (or drafted), 1 the folder or the server refused it, 2 usage.`;

export async function publish(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { draft: { type: 'boolean' }, json: { type: 'boolean' } });
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  const dir = resolve(positionals[0] ?? '.');
  const { readAgentFolder } = await import('./agent-validate.ts');
  const folder = readAgentFolder(dir, (line) => console.error(line));
  if (!folder) return 1;
  const { manifest, bundle } = folder;
  const settings = apiSettings();
  const draft = await requestJson(settings, 'POST', '/v1/agents', {
    manifest,
    ...(bundle ? { bundle } : {}),
  });
  if (values.draft) {
    if (values.json) console.log(JSON.stringify(draft, null, 2));
    else console.log(`Saved ${manifest.slug} ${manifest.version} as a draft.`);
    return 0;
  }
  const path = `/v1/agents/${encodeURIComponent(manifest.slug)}/versions/${encodeURIComponent(manifest.version)}/publish`;
  const published = await requestJson(settings, 'POST', path);
  if (values.json) console.log(JSON.stringify(published, null, 2));
  else
    console.log(
      `Published ${manifest.slug} ${manifest.version}: ${settings.apiUrl}/v1/agents/${manifest.slug}`,
    );
  return 0;
}
