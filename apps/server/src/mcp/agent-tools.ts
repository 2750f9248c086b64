import {
  type Catalog,
  type InputField,
  type InputSchema,
  type Manifest,
  maxCreditsPerRun,
  type Pricing,
  RUN_STATUSES,
} from '@jeton/core';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** Why an agent version cannot run here (the runtime's answer), or null. */
export type Availability = (manifest: Manifest, bundle: string | null) => string | null;

/** What a tool is made of: the listed agent and the manifest of its current version. */
export interface AgentEntry {
  slug: string;
  version: string;
  manifest: Manifest;
}

const PAGE = 100;
/** The most agents offered as tools: past it, the most popular ones. */
export const MAX_TOOLS = 1000;
/** How long one read of the catalog serves every `tools/list` (each MCP request is a new server). */
const CACHE_MS = 5000;

/**
 * The listed agents, as tools are made of them: every page of the catalog's search (most popular
 * first), each agent's current version, without those this platform cannot run. One read serves all
 * callers for a few seconds, so clients listing tools at every connection cost the catalog nothing
 * more; a newly published agent appears within that delay.
 */
export class AgentDirectory {
  readonly #catalog: Catalog;
  readonly #availability: Availability | undefined;
  #cached: { at: number; value: Promise<AgentEntry[]> } | null = null;

  constructor(catalog: Catalog, availability?: Availability) {
    this.#catalog = catalog;
    this.#availability = availability;
  }

  list(): Promise<AgentEntry[]> {
    const now = Date.now();
    if (!this.#cached || now - this.#cached.at >= CACHE_MS) {
      const value = this.#read();
      this.#cached = { at: now, value };
      // A failed read is not kept: the next caller tries again.
      value.catch(() => {
        if (this.#cached?.value === value) this.#cached = null;
      });
    }
    return this.#cached.value;
  }

  async #read(): Promise<AgentEntry[]> {
    const entries: AgentEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#catalog.search({
        sort: 'popular',
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      if (!page.ok) throw new Error(`catalog search refused: ${JSON.stringify(page.error)}`);
      const views = await Promise.all(page.value.items.map((a) => this.#catalog.get(null, a.slug)));
      for (const view of views) {
        // An agent unlisted between the search and the read is simply left out.
        const current = view.ok ? view.value.current : null;
        if (!view.ok || !current) continue;
        if (this.#availability?.(current.manifest, current.bundle)) continue;
        entries.push({ slug: view.value.agent.slug, version: current.version, manifest: current.manifest });
        if (entries.length >= MAX_TOOLS) return entries;
      }
      cursor = page.value.nextCursor ?? undefined;
    } while (cursor);
    return entries;
  }
}

/** An agent as an MCP tool: named by its slug, its input schema as the tool's, its price in the description. */
export function agentTool(entry: AgentEntry, origin: string): Tool {
  const m = entry.manifest;
  const outputs = m.outputs.map((o) => `${o.name} (${o.mediaType})`).join(', ');
  return {
    name: entry.slug,
    title: m.name,
    description: [
      `${m.name}: ${m.summary}`,
      `Price: ${priceText(m.pricing)} (1 credit = US$0.01), from the API key's wallet; a failed run is refunded.`,
      outputs ? `Produces: ${outputs}, returned as links to download with the same API key.` : '',
      `Version ${entry.version}. Optional _meta: "jeton/maxCredits" (refuse if the run may cost more), "jeton/idempotencyKey".`,
    ]
      .filter(Boolean)
      .join('\n'),
    inputSchema: toolInputSchema(entry.slug, m.input, origin),
    outputSchema: OUTPUT_SCHEMA,
    annotations: {
      title: m.name,
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    },
    _meta: { 'jeton/version': entry.version, 'jeton/maxCredits': maxCreditsPerRun(m.pricing) },
  };
}

export function priceText(p: Pricing): string {
  switch (p.model) {
    case 'per_run':
      return `${p.credits} credits per successful run`;
    case 'per_event':
      return `per delivery (${p.events.map((e) => `${e.name}: ${e.credits} credits`).join(', ')}), at most ${p.maxCreditsPerRun} credits per run`;
    case 'per_token':
      return `the model's cost plus ${p.markupBps / 100}%, at most ${p.maxCreditsPerRun} credits per run`;
  }
}

/**
 * The manifest's input schema as plain JSON Schema: the same fields, types, bounds, defaults and
 * required list (so a client's validation agrees with the platform's), without the web form's hints
 * (`editor`, `enumTitles`, `accept`, `maxBytes`, `maxCount`), which strict validators reject as
 * unknown keywords: their meaning moves into each field's description. A file field stays what the
 * platform takes, a list of uploaded file ids, and says how to upload one.
 */
export function toolInputSchema(slug: string, input: InputSchema, origin: string): Tool['inputSchema'] {
  const properties: Record<string, object> = {};
  for (const [name, field] of Object.entries(input.properties)) {
    properties[name] = toolField(slug, name, field, origin);
  }
  return { type: 'object', properties, required: [...input.required], additionalProperties: false };
}

function toolField(slug: string, name: string, f: InputField, origin: string): object {
  const notes: string[] = f.description ? [f.description] : [];
  const common = { title: f.title, ...(f.examples ? { examples: f.examples } : {}) };
  switch (f.type) {
    case 'string': {
      if (f.enum && f.enumTitles) {
        notes.push(`Choices: ${f.enum.map((v, i) => `"${v}" (${f.enumTitles?.[i] ?? v})`).join(', ')}.`);
      }
      if (f.editor === 'colour' && !f.pattern) notes.push('A colour, #rrggbb.');
      return {
        type: 'string',
        ...common,
        ...describe(notes),
        ...pick(f, ['default', 'enum', 'minLength', 'maxLength', 'pattern']),
      };
    }
    case 'number':
    case 'integer':
      return { type: f.type, ...common, ...describe(notes), ...pick(f, ['default', 'minimum', 'maximum']) };
    case 'boolean':
      return { type: 'boolean', ...common, ...describe(notes), ...pick(f, ['default']) };
    case 'array': {
      // Slugs and field names are URL-safe by the manifest's rules.
      const upload = `${origin}/v1/files?agent=${slug}&field=${name}&name=<file name>`;
      notes.push(
        `Ids of files uploaded first: POST each file as the raw body to ${upload} ` +
          'with its Content-Type and the same API key, and pass the "id" of the answer. ' +
          `Accepted: ${f.accept.join(', ')}; at most ${f.maxBytes} bytes each.`,
      );
      return {
        type: 'array',
        items: { type: 'string' },
        ...common,
        ...describe(notes),
        maxItems: f.maxCount,
        ...(f.minItems !== undefined ? { minItems: f.minItems } : {}),
      };
    }
  }
}

const describe = (notes: string[]) => (notes.length > 0 ? { description: notes.join(' ') } : {});

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

const integerOrNull = { type: ['integer', 'null'] };

/** What `structuredContent` holds: the run's outcome, or (status `refused`) why it never started. */
export const OUTPUT_SCHEMA: NonNullable<Tool['outputSchema']> = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: [...RUN_STATUSES, 'refused'] },
    runId: { type: 'string' },
    runUrl: { type: 'string' },
    agent: { type: 'string' },
    version: { type: 'string' },
    quote: { type: 'integer', description: 'Credits held while the run ran: the most it could cost.' },
    charged: { ...integerOrNull, description: 'Credits taken from the wallet.' },
    refunded: { ...integerOrNull, description: 'Credits of the hold that went back to the wallet.' },
    failure: {
      type: ['object', 'null'],
      properties: { code: { type: 'string' }, fault: { type: 'string' }, message: { type: 'string' } },
    },
    question: {
      type: 'object',
      description: 'The question the agent asked (not answerable over MCP: the run was cancelled).',
      properties: { text: { type: 'string' }, schema: { type: 'object' } },
    },
    artifacts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'mediaType', 'size', 'url'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          mediaType: { type: 'string' },
          size: { type: 'integer' },
          sha256: { type: 'string' },
          url: { type: 'string', description: 'Download with the same Authorization header.' },
        },
      },
    },
    problem: {
      type: 'object',
      description: 'Why the run was refused (problem+json, as the HTTP API answers it).',
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        detail: { type: 'string' },
        issues: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};
