import type { AgentCard, AgentPage, AgentSearchQuery } from '@jeton/sdk';
import { integer, parse } from '../api/args.ts';
import { client } from '../api/config.ts';
import { UsageError } from '../api/report.ts';
import { table } from '../api/table.ts';

export const searchUsage = `Usage: jeton agents search [query] [--category c] [--max-price n] [--json]

Searches the catalog (typo-tolerant): slug, name, price, rating and runs of each agent found.

  --category c      development, design, 3d, data, writing, marketing, research, media, productivity, other
  --max-price n     at most n credits a run
  --limit n         how many (default 20, at most 100)
  --json            the page of results as the API answers it`;

export const showUsage = `Usage: jeton agents show <slug> [--json]

An agent's page: what it does, what it costs, its input fields (type, required), its outputs, stats.`;

const price = (a: AgentCard) =>
  `${a.price.maxCredits} cr${a.price.model === 'per_run' ? '' : ` max (${a.price.model})`}`;
const rating = (a: AgentCard) =>
  a.stats.reviews > 0 ? `${a.stats.rating.toFixed(1)}★ (${a.stats.reviews})` : '—';

export async function search(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    category: { type: 'string' },
    'max-price': { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 1) throw new UsageError('Quote a query of several words: "logo svg"');
  const query = {
    ...(positionals[0] ? { q: positionals[0] } : {}),
    ...(values.category ? { category: values.category as AgentSearchQuery['category'] } : {}),
    ...(values['max-price'] ? { maxPrice: integer(values['max-price'], '--max-price', 0) } : {}),
    ...(values.limit ? { limit: integer(values.limit, '--limit') } : {}),
  };
  const page = await client().agents.search(query);
  if (values.json) {
    console.log(JSON.stringify(page, null, 2));
    return 0;
  }
  if (page.data.length === 0) {
    console.log('No agent found.');
    return 0;
  }
  console.log(
    table(
      ['SLUG', 'NAME', 'PRICE', 'RATING', 'RUNS'],
      page.data.map((a) => [a.slug, a.name, price(a), rating(a), String(a.stats.runs)]),
    ),
  );
  return 0;
}

export async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  const [slug, extra] = positionals;
  if (!slug || extra) throw new UsageError('Name one agent: jeton agents show <slug>');
  const agent = await client().agents.get(slug);
  if (values.json) console.log(JSON.stringify(agent, null, 2));
  else console.log(describe(agent));
  return 0;
}

interface Field {
  type?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  editor?: string;
}

function describe(a: AgentPage): string {
  const lines = [`${a.name} (${a.slug}${a.version ? ` ${a.version.version}` : ''})`, '', a.description, ''];
  lines.push(`Price: ${price(a)}   Rating: ${rating(a)}   Runs: ${a.stats.runs}`);
  if (a.stats.successRate !== null) lines.push(`Success rate: ${Math.round(a.stats.successRate * 100)}%`);
  if (a.stats.medianDurationMs !== null)
    lines.push(`Median time: ${(a.stats.medianDurationMs / 1000).toFixed(1)} s`);
  if (a.version && !a.version.available) lines.push(`Unavailable here: ${a.version.unavailableReason}`);
  const input = a.version?.input as { properties?: Record<string, Field>; required?: string[] } | undefined;
  const fields = Object.entries(input?.properties ?? {});
  if (fields.length > 0) {
    lines.push('', 'Input (--input name=value, --file name=path):');
    const required = new Set(input?.required ?? []);
    lines.push(
      table(
        ['  NAME', 'TYPE', 'REQUIRED', 'ABOUT'],
        fields.map(([name, f]) => [
          `  ${name}`,
          f.editor === 'file' ? 'file' : f.enum ? f.enum.map(String).join('|') : (f.type ?? 'any'),
          required.has(name) ? 'yes' : '',
          [f.title, f.default !== undefined ? `(default ${JSON.stringify(f.default)})` : '']
            .filter(Boolean)
            .join(' '),
        ]),
      ),
    );
  }
  const outputs = (a.version?.outputs ?? []) as { name?: string; mediaType?: string; description?: string }[];
  if (outputs.length > 0) {
    lines.push('', 'Outputs:');
    for (const o of outputs)
      lines.push(`  ${o.name} (${o.mediaType})${o.description ? `: ${o.description}` : ''}`);
  }
  return lines.join('\n');
}
