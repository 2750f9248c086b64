import { describe, expect, it } from 'vitest';
import { validateInput } from './input-validator.ts';
import {
  manifestJsonSchema,
  needsModel,
  parseManifest,
  parseManifestText,
  runtimeFingerprint,
} from './manifest.ts';

const valid = () => ({
  manifestVersion: 1,
  slug: 'brand-kit',
  name: 'Brand kit',
  summary: 'An SVG logo and a palette with WCAG contrast checks.',
  category: 'design',
  tags: ['logo', 'palette'],
  version: '1.0.0',
  input: {
    type: 'object',
    required: ['company'],
    properties: {
      company: { type: 'string', title: 'Company name', maxLength: 60 },
      mood: {
        type: 'string',
        title: 'Mood',
        editor: 'select',
        enum: ['calm', 'bold'],
        enumTitles: ['Calm', 'Bold'],
        default: 'calm',
      },
      colour: { type: 'string', title: 'Main colour', editor: 'colour', default: '#336699' },
      size: { type: 'integer', title: 'Size', minimum: 16, maximum: 1024, default: 256 },
      refs: {
        type: 'array',
        editor: 'file',
        title: 'References',
        items: { type: 'string' },
        accept: ['image/*'],
        maxBytes: 1_000_000,
        maxCount: 2,
      },
    },
  },
  outputs: [{ name: 'logo.svg', mediaType: 'image/svg+xml' }],
  pricing: { model: 'per_run', credits: 20 },
  runtime: { kind: 'builtin', entry: 'brand-kit' },
  examples: [{ title: 'Acme', input: { company: 'Acme', mood: 'bold' } }],
  tests: [
    { name: 'draws a logo', input: { company: 'Acme' }, checks: [{ kind: 'artifact', name: 'logo.svg' }] },
  ],
});

describe('agent manifest', () => {
  it('accepts a valid manifest and fills the defaults', () => {
    const r = parseManifest(valid());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.limits).toEqual({ timeoutSeconds: 300, memoryMb: 256, retrySafe: false });
    expect(r.value.input.properties.company).toMatchObject({ editor: 'text' });
    expect(r.value.input.properties.colour).toMatchObject({ pattern: '^#[0-9a-fA-F]{6}$' });
  });

  it('reports every structural problem at once, each with its JSON path', () => {
    const m = {
      ...valid(),
      manifestVersion: 2,
      slug: 'Not A Slug',
      version: '1.0',
      category: 'cooking',
      extra: 1,
    } as Record<string, unknown>;
    delete m.name;
    const r = parseManifest(m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual(
      expect.arrayContaining([
        {
          path: '$.manifestVersion',
          message: 'unsupported manifestVersion; this Jeton reads manifestVersion 1',
        },
        { path: '$.slug', message: expect.stringContaining('lowercase letters') },
        { path: '$.version', message: 'expected a semantic version such as 1.2.0' },
        { path: '$.category', message: expect.stringContaining('expected one of') },
        { path: '$.name', message: 'is required' },
        { path: '$', message: 'unknown field: extra' },
      ]),
    );
    expect(r.error).toHaveLength(6);
  });

  it('checks defaults, examples and test inputs against the input schema, all at once', () => {
    const m = valid();
    m.input.properties.mood.default = 'loud';
    m.input.properties.size.default = 2048;
    m.examples = [
      { title: 'bad', input: { company: 'Acme', colour: 'red', refs: ['a', 'b', 'c'], unknown: 1 } as never },
    ];
    m.tests = [{ name: 'no company', input: {} as never, checks: [{ kind: 'artifact', name: 'logo.png' }] }];
    const r = parseManifest(m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual([
      { path: '$.input.properties.mood.default', message: 'must be one of ["calm","bold"]' },
      { path: '$.input.properties.size.default', message: 'must be <= 1024' },
      { path: '$.examples[0].input.unknown', message: 'is not a field of this agent' },
      { path: '$.examples[0].input.colour', message: 'must match pattern "^#[0-9a-fA-F]{6}$"' },
      { path: '$.examples[0].input.refs', message: 'must NOT have more than 2 items' },
      { path: '$.tests[0].input.company', message: 'is required' },
      { path: '$.tests[0].checks[0]', message: '"logo.png" is not one of the declared outputs' },
    ]);
  });

  it('relates the parts: required fields, select choices, titles, placeholders, event prices', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the test rewrites parts of the manifest freely
    const m = valid() as Record<string, any>;
    m.input.required = ['company', 'missing'];
    m.input.properties.mood = { type: 'string', title: 'Mood', editor: 'select' };
    m.input.properties.tone = { type: 'string', title: 'Tone', enum: ['a', 'b'], enumTitles: ['A'] };
    m.runtime = {
      kind: 'prompt',
      model: 'default',
      system: 'You draw logos.',
      template: 'Logo for {{company}} in {{style}}',
    };
    m.pricing = {
      model: 'per_event',
      events: [
        { name: 'image', credits: 5 },
        { name: 'image', credits: 6 },
      ],
      maxCreditsPerRun: 4,
    };
    m.tags = ['logo', 'logo'];
    const r = parseManifest(m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual([
      { path: '$.input.required[1]', message: '"missing" is not a field of input.properties' },
      { path: '$.input.properties.mood.enum', message: 'a select field needs its choices in enum' },
      { path: '$.input.properties.tone.enumTitles', message: 'needs exactly one title per enum value' },
    ]);
    m.input.required = ['company'];
    m.input.properties.mood = { type: 'string', title: 'Mood' };
    m.input.properties.tone.enumTitles = ['A', 'B'];
    const again = parseManifest(m);
    expect(again.ok ? [] : again.error).toEqual([
      { path: '$.tags[1]', message: 'is listed twice' },
      { path: '$.pricing.events[1].name', message: 'is declared twice' },
      {
        path: '$.pricing.maxCreditsPerRun',
        message: 'is below the cheapest event (5): nothing could ever be charged',
      },
      { path: '$.runtime.template', message: '{{style}} is not a field of input.properties' },
    ]);
  });

  it('reports repeated values instead of failing to compile the schema', () => {
    const m = valid();
    m.input.required = ['company', 'company'];
    m.input.properties.mood.enum = ['calm', 'calm'];
    const r = parseManifest(m);
    expect(r.ok ? [] : r.error.map((i) => i.path).sort()).toEqual([
      '$.input.properties.mood.enum',
      '$.input.required',
    ]);
  });

  it('checks each field against its own pattern, in RE2, and refuses what RE2 cannot run', () => {
    const schema = {
      type: 'object' as const,
      required: [],
      additionalProperties: false as const,
      properties: {
        colour: {
          type: 'string' as const,
          title: 'Colour',
          editor: 'text' as const,
          pattern: '^#[0-9a-f]{6}$',
        },
        word: { type: 'string' as const, title: 'Word', editor: 'text' as const, pattern: '^[a-z]+$' },
      },
    };
    expect(validateInput(schema, { colour: '#00ff00', word: 'abc' })).toEqual([]);
    expect(validateInput(schema, { colour: 'abc', word: '#00ff00' }).map((i) => i.path)).toEqual([
      '$.colour',
      '$.word',
    ]);
    // Lookahead is what JavaScript's backtracking engine has and RE2 does not: refusing it shows that
    // RE2 runs the patterns, the engine in which `^(a+)+$` cannot take exponential time.
    const lookahead = { ...schema, properties: { x: { ...schema.properties.word, pattern: '^(?=a)' } } };
    expect(validateInput(lookahead, { x: 'a' })[0]?.message).toMatch(/cannot be used/);
    const m = valid() as ReturnType<typeof valid> & { input: { properties: Record<string, unknown> } };
    m.input.properties.code = { type: 'string', title: 'Code', pattern: '^(?=x)' };
    const refused = parseManifest(m);
    expect(refused.ok ? [] : refused.error[0]?.path).toBe('$.input.properties.code.pattern');
  });

  it('reads YAML and reports a YAML syntax error rather than throwing', () => {
    const yaml = `manifestVersion: 1\nslug: brand-kit\nname: Brand kit\nsummary: An SVG logo and a palette.\ncategory: design\nversion: 1.0.0\ninput:\n  type: object\n  properties: {}\npricing:\n  model: per_run\n  credits: 5\nruntime:\n  kind: builtin\n  entry: brand-kit\n`;
    const r = parseManifestText(yaml, 'jeton.agent.yaml');
    expect(r.ok).toBe(true);
    const broken = parseManifestText('slug: [unclosed', 'jeton.agent.yaml');
    expect(broken.ok ? [] : broken.error[0]?.message).toMatch(/^not valid YAML/);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 12 }, (_, i) => {
        const prev = i === 0 ? 'a' : `b${i - 1}`;
        return `b${i}: &b${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
    ].join('\n');
    const exploded = parseManifestText(bomb, 'jeton.agent.yaml');
    expect(exploded.ok ? [] : exploded.error[0]?.message).toMatch(/^not valid YAML/);
    const json = parseManifestText('{"slug": ', 'jeton.agent.json');
    expect(json.ok ? [] : json.error[0]?.message).toMatch(/^not valid JSON/);
  });

  it('publishes its JSON Schema, which knows the fields and the pricing models', () => {
    const schema = manifestJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'slug',
        'name',
        'input',
        'outputs',
        'pricing',
        'limits',
        'runtime',
        'secrets',
        'examples',
        'tests',
        'changelog',
      ]),
    );
    expect(schema.required).toEqual(
      expect.arrayContaining(['manifestVersion', 'slug', 'version', 'pricing', 'runtime']),
    );
    expect(JSON.stringify(schema.properties.pricing)).toContain('per_token');
  });

  it('tells which agents need a model and fingerprints what an agent does, not what it is called', () => {
    const a = parseManifest(valid());
    const b = parseManifest({
      ...valid(),
      slug: 'copy',
      name: 'Copy',
      pricing: { model: 'per_run', credits: 1 },
    });
    const c = parseManifest({
      ...valid(),
      runtime: { kind: 'prompt', model: 'default', system: 's', template: '{{company}}' },
    });
    if (!a.ok || !b.ok || !c.ok) throw new Error('fixtures must parse');
    expect(runtimeFingerprint(a.value)).toBe(runtimeFingerprint(b.value));
    expect(runtimeFingerprint(a.value)).not.toBe(runtimeFingerprint(c.value));
    const spaced = parseManifest({
      ...valid(),
      runtime: { kind: 'prompt', model: 'default', system: '  S\n', template: '{{company}} ' },
    });
    if (!spaced.ok) throw new Error('fixture must parse');
    expect(runtimeFingerprint(spaced.value)).toBe(runtimeFingerprint(c.value));
    expect(needsModel(a.value)).toBe(false);
    expect(needsModel(c.value)).toBe(true);
  });
});
