import { inputSchemaSchema, validateInput } from '@jeton/core';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { describe, expect, it } from 'vitest';
import { priceText, toolInputSchema } from './agent-tools.ts';
import { CallsInFlight } from './mcp-routes.ts';

const input = inputSchemaSchema.parse({
  type: 'object',
  required: ['name', 'photos'],
  properties: {
    name: { type: 'string', title: 'Name', minLength: 1, maxLength: 40, examples: ['Ada'] },
    mood: {
      type: 'string',
      editor: 'select',
      title: 'Mood',
      enum: ['calm', 'bold'],
      enumTitles: ['Calm', 'Bold'],
      default: 'calm',
    },
    colour: { type: 'string', editor: 'colour', title: 'Colour' },
    size: { type: 'integer', title: 'Size', minimum: 1, maximum: 9, default: 3 },
    shiny: { type: 'boolean', title: 'Shiny', default: false },
    photos: {
      type: 'array',
      editor: 'file',
      title: 'Photos',
      description: 'Of the subject.',
      items: { type: 'string' },
      accept: ['image/*'],
      maxBytes: 1000,
      maxCount: 3,
      minItems: 1,
    },
  },
});

describe('an agent’s input schema as a tool’s', () => {
  const schema = toolInputSchema('portrait', input, 'https://jeton.example');

  it('keeps every field’s type, bounds, choices and defaults, and the required list, without the form’s hints', () => {
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['name', 'photos'],
      properties: {
        name: { type: 'string', title: 'Name', examples: ['Ada'], minLength: 1, maxLength: 40 },
        mood: {
          type: 'string',
          title: 'Mood',
          description: 'Choices: "calm" (Calm), "bold" (Bold).',
          default: 'calm',
          enum: ['calm', 'bold'],
        },
        colour: { type: 'string', title: 'Colour', description: 'A colour, #rrggbb.' },
        size: { type: 'integer', title: 'Size', default: 3, minimum: 1, maximum: 9 },
        shiny: { type: 'boolean', title: 'Shiny', default: false },
        photos: {
          type: 'array',
          items: { type: 'string' },
          title: 'Photos',
          maxItems: 3,
          minItems: 1,
          description: expect.stringContaining('Of the subject. Ids of files uploaded first'),
        },
      },
    });
    const photos = schema.properties?.photos as { description: string };
    expect(photos.description).toContain(
      'https://jeton.example/v1/files?agent=portrait&field=photos&name=<file name>',
    );
    expect(photos.description).toContain('Accepted: image/*; at most 1000 bytes each.');
  });

  it('accepts and refuses exactly what the platform does, as a client’s JSON Schema validator reads it', () => {
    const clientCheck = new AjvJsonSchemaValidator().getValidator(schema);
    const inputs: unknown[] = [
      { name: 'Ada', photos: ['fil_1'] },
      {
        name: 'Ada',
        photos: ['fil_1', 'fil_2', 'fil_3'],
        mood: 'bold',
        size: 9,
        shiny: true,
        colour: '#000000',
      },
      { name: '', photos: ['fil_1'] },
      { name: 'A'.repeat(41), photos: ['fil_1'] },
      { name: 'Ada' },
      { name: 'Ada', photos: [] },
      { name: 'Ada', photos: ['fil_1', 'fil_2', 'fil_3', 'fil_4'] },
      { name: 'Ada', photos: [1] },
      { name: 'Ada', photos: ['fil_1'], mood: 'grumpy' },
      { name: 'Ada', photos: ['fil_1'], size: 2.5 },
      { name: 'Ada', photos: ['fil_1'], size: 10 },
      { name: 'Ada', photos: ['fil_1'], shiny: 'yes' },
      { name: 'Ada', photos: ['fil_1'], extra: 1 },
    ];
    for (const value of inputs) {
      const platform = validateInput(input, value).length === 0;
      expect({ value, valid: clientCheck(value).valid }).toEqual({ value, valid: platform });
    }
    expect(inputs.filter((v) => validateInput(input, v).length === 0)).toHaveLength(2);
  });
});

describe('prices in a tool’s description', () => {
  it('says each pricing model in words, with its maximum', () => {
    expect(priceText({ model: 'per_run', credits: 20 })).toBe('20 credits per successful run');
    expect(
      priceText({
        model: 'per_event',
        events: [
          { name: 'model', credits: 30 },
          { name: 'preview', credits: 5 },
        ],
        maxCreditsPerRun: 35,
      }),
    ).toBe('per delivery (model: 30 credits, preview: 5 credits), at most 35 credits per run');
    expect(priceText({ model: 'per_token', markupBps: 2000, maxCreditsPerRun: 50 })).toBe(
      "the model's cost plus 20%, at most 50 credits per run",
    );
  });
});

describe('calls in flight', () => {
  it('cancels the one call a caller has under an id, and nothing when the id is ambiguous or another’s', () => {
    const calls = new CallsInFlight();
    const cancelled: string[] = [];
    const doneA = calls.add('usr_a', 7, () => cancelled.push('a7'));
    calls.add('usr_b', 7, () => cancelled.push('b7'));
    expect(calls.cancel('usr_c', 7)).toBe(false);
    expect(calls.cancel('usr_a', '7')).toBe(false);
    expect(calls.cancel('usr_a', 7)).toBe(true);
    expect(cancelled).toEqual(['a7']);

    calls.add('usr_a', 7, () => cancelled.push('a7 again'));
    expect(calls.cancel('usr_a', 7)).toBe(false);
    doneA();
    expect(calls.cancel('usr_a', 7)).toBe(true);
    expect(cancelled).toEqual(['a7', 'a7 again']);
  });
});
