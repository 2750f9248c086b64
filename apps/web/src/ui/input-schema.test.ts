import { JetonError } from '@jeton/sdk';
import { describe, expect, it } from 'vitest';
import { cleanInput, defaultsOf, type InputSchema, validate } from './input-schema.ts';
import { errorsByField, fieldOfPath, issuesByField } from './schema-issues.ts';

const schema: InputSchema = {
  type: 'object',
  required: ['text', 'tone', 'files'],
  properties: {
    text: { type: 'string', minLength: 2, maxLength: 5 },
    tone: { type: 'string', enum: ['warm', 'formal'] },
    words: { type: 'integer', minimum: 1, maximum: 10 },
    colour: { type: 'string', editor: 'colour', pattern: '^#[0-9a-f]{6}$' },
    loud: { type: 'boolean' },
    files: { type: 'array', maxCount: 2 },
    'odd name': { type: 'string', default: 'x' },
  },
};

describe('input schema', () => {
  it('starts each field with its default, else empty', () => {
    expect(defaultsOf(schema)).toEqual({ tone: 'warm', loud: false, files: [], 'odd name': 'x' });
  });

  it('leaves out empty optional values and unknown fields', () => {
    expect(cleanInput(schema, { text: '', colour: '', files: [], other: 1, words: undefined })).toEqual({
      text: '',
      files: [],
    });
  });

  it('checks what the browser can before the server does', () => {
    expect(
      validate(schema, { text: 'a', tone: 'cold', words: 2.5, colour: 'red', files: ['a', 'b', 'c'] }),
    ).toEqual({
      text: ['must be at least 2 characters'],
      tone: ['must be one of the choices'],
      words: ['must be a whole number'],
      colour: ['must be a colour such as #1e90ff'],
      files: ['takes at most 2 files'],
    });
    expect(validate(schema, {})).toEqual({
      text: ['is required'],
      tone: ['is required'],
      files: ['is required'],
    });
  });
});

describe('schema issues', () => {
  const fields = Object.keys(schema.properties);

  it('finds the field a JSON path names', () => {
    expect(fieldOfPath('$.text', fields)).toBe('text');
    expect(fieldOfPath('$.files[0]', fields)).toBe('files');
    expect(fieldOfPath('$["odd name"]', fields)).toBe('odd name');
    expect(fieldOfPath('$.input.text', fields, '$.input')).toBe('text');
    expect(fieldOfPath('$.nope', fields)).toBeNull();
  });

  it('puts issues that name no field under the empty name, with their path', () => {
    expect(
      issuesByField(
        [
          { path: '$.text', message: 'too short' },
          { path: '$.maxCredits', message: 'too low' },
        ],
        schema,
      ),
    ).toEqual({ text: ['too short'], '': ['$.maxCredits: too low'] });
  });

  it('reads an API error’s issues, knowing where the input sits', () => {
    expect(errorsByField(new Error('x'), schema)).toEqual({});
    const error = new JetonError({
      type: '/problems/validation',
      title: 'Invalid',
      status: 422,
      issues: [{ path: '$.input.tone', message: 'bad' }],
    });
    expect(errorsByField(error, schema)).toEqual({ tone: ['bad'] });
  });
});
