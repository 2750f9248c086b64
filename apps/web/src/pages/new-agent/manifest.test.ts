import { describe, expect, it } from 'vitest';
import { blankField, type FormState, initialForm, placeholders, suggestSlug } from './form-state.ts';
import { buildManifest, exampleInputOf, formFromManifest, formFromManifestText } from './manifest.ts';

const filled = (): FormState => ({
  ...initialForm(),
  name: 'Tone fixer',
  slug: 'tone-fixer',
  summary: 'Rewrites a text in a friendlier tone.',
  category: 'writing',
  system: 'You rewrite texts.',
  template: 'Rewrite {{text}} as {{tone}}',
  credits: '7',
  fields: [
    { ...blankField(1), name: 'text' },
    {
      ...blankField(2),
      name: 'tone',
      title: 'Tone',
      type: 'select',
      options: 'warm, formal , ',
      required: false,
    },
    { ...blankField(3), name: 'words', title: 'Words', type: 'number' },
  ],
  example: { text: 'Hello', tone: 'warm', words: '40' },
  test: { enabled: true, name: 'answers', contains: ' friendly ' },
});

describe('buildManifest', () => {
  it('describes a prompt agent from the form', () => {
    const m = buildManifest(filled());
    expect(m).toMatchObject({
      manifestVersion: 1,
      slug: 'tone-fixer',
      version: '1.0.0',
      pricing: { model: 'per_run', credits: 7 },
      runtime: { kind: 'prompt', model: 'default', template: 'Rewrite {{text}} as {{tone}}' },
      outputs: [{ name: 'output.md', mediaType: 'text/markdown' }],
    });
    expect(m.input).toEqual({
      type: 'object',
      required: ['text'],
      properties: {
        text: { title: 'Text', type: 'string', editor: 'textarea' },
        tone: { title: 'Tone', type: 'string', editor: 'select', enum: ['warm', 'formal'] },
        words: { title: 'Words', type: 'number' },
      },
    });
    const input = { text: 'Hello', tone: 'warm', words: 40 };
    expect(m.examples).toEqual([{ title: 'Example', input }]);
    expect(m.tests).toEqual([
      {
        name: 'answers',
        input,
        checks: [{ kind: 'succeeds' }, { kind: 'contains', artifact: 'output.md', text: 'friendly' }],
      },
    ]);
  });

  it('keeps a price it cannot read as a number, for the platform to refuse', () => {
    expect(buildManifest({ ...initialForm(), credits: 'five' }).pricing).toEqual({
      model: 'per_run',
      credits: 'five',
    });
    expect(buildManifest({ ...initialForm(), credits: ' ' }).pricing).toEqual({
      model: 'per_run',
      credits: ' ',
    });
  });

  it('leaves out an empty example and a disabled test', () => {
    const m = buildManifest(initialForm());
    expect(m.examples).toEqual([]);
    expect(m.tests).toEqual([]);
  });

  it('keeps what the form does not edit from a loaded manifest', () => {
    const base = {
      tags: ['x'],
      outputs: [{ name: 'answer.txt', mediaType: 'text/plain' }],
      runtime: { kind: 'prompt', temperature: 0.2 },
      examples: [{ input: { text: 'old' } }, { title: 'Second', input: { text: 'b' } }],
      tests: [{ name: 'old' }, { name: 'kept' }],
    };
    const m = buildManifest({ ...filled(), base });
    expect(m.tags).toEqual(['x']);
    expect(m.outputs).toEqual(base.outputs);
    expect(m.runtime).toMatchObject({ temperature: 0.2, kind: 'prompt' });
    expect((m.examples as unknown[]).slice(1)).toEqual([base.examples[1]]);
    expect(m.tests).toMatchObject([
      { checks: [{ kind: 'succeeds' }, { kind: 'contains', artifact: 'answer.txt' }] },
      { name: 'kept' },
    ]);
  });
});

describe('formFromManifest', () => {
  it('gives back the form a manifest was built from', () => {
    const form = filled();
    const back = formFromManifest(buildManifest(form), initialForm());
    if (typeof back === 'string') throw new Error(back);
    expect(buildManifest({ ...back, base: {} })).toEqual(buildManifest(form));
    expect(back.slugEdited).toBe(true);
    expect(back.example).toEqual({ text: 'Hello', tone: 'warm', words: '40' });
    expect(back.test).toEqual({ enabled: true, name: 'answers', contains: 'friendly' });
    expect(back.fields.map((f) => [f.name, f.type, f.required, f.options])).toEqual([
      ['text', 'textarea', true, ''],
      ['tone', 'select', false, 'warm, formal'],
      ['words', 'number', false, ''],
    ]);
  });

  it('says why the form cannot show a manifest', () => {
    const form = initialForm();
    expect(formFromManifest([], form)).toBe('the manifest is not a JSON object');
    expect(formFromManifest({ runtime: { kind: 'container' } }, form)).toBe(
      'the form edits prompt agents only',
    );
    expect(formFromManifest({ pricing: { model: 'per_token' } }, form)).toBe(
      'the form edits per-run prices only',
    );
    expect(formFromManifest({ input: { properties: { f: { type: 'array', editor: 'file' } } } }, form)).toBe(
      'the form cannot edit the field "f" (file)',
    );
    expect(formFromManifestText('{', form)).toBe('the manifest is not valid JSON');
  });

  it('keeps the previous test settings, disabled, when the manifest has no test', () => {
    const previous = { ...initialForm(), test: { enabled: true, name: 'mine', contains: 'x' } };
    const back = formFromManifest({}, previous);
    if (typeof back === 'string') throw new Error(back);
    expect(back.test).toEqual({ enabled: false, name: 'mine', contains: 'x' });
    expect(back.version).toBe('1.0.0');
    expect(back.model).toBe('default');
    expect(back.credits).toBe('');
  });
});

describe('helpers', () => {
  it('suggests a slug from a name', () => {
    expect(suggestSlug('  Café au lait: the Best!  ')).toBe('cafe-au-lait-the-best');
    expect(suggestSlug(`${'a'.repeat(47)} b`)).toBe('a'.repeat(47));
  });

  it('lists the placeholders a template uses, once each', () => {
    expect(placeholders('{{text}} and {{ tone }} and {{text}}')).toEqual(['text', 'tone']);
  });

  it('finds a manifest’s example input in its first example, else its first test', () => {
    expect(exampleInputOf({ examples: [{ input: { a: 1 } }], tests: [{ input: { b: 2 } }] })).toEqual({
      a: 1,
    });
    expect(exampleInputOf({ tests: [{ input: { b: 2 } }] })).toEqual({ b: 2 });
    expect(exampleInputOf({})).toEqual({});
  });
});
