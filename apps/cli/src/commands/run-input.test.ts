import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/report.ts';
import { addFile, buildInput, type InputSchema, mediaTypeOf } from './run-input.ts';

const schema: InputSchema = {
  properties: {
    company: { type: 'string' },
    height: { type: 'number' },
    count: { type: 'integer' },
    hat: { type: 'boolean' },
    options: { type: 'object' },
    tags: { type: 'array', items: { type: 'string' } },
    csv: { type: 'array', editor: 'file', items: { type: 'string' } },
    doc: { type: 'string', editor: 'file' },
  },
};

describe('reading --input and --file as the input schema says', () => {
  it('parses numbers, booleans and JSON, keeps strings (and unknown fields) as written', () => {
    expect(
      buildInput(
        [
          'company=Acme = Co',
          'height=1.8',
          'count=3',
          'hat=true',
          'options={"a":1}',
          'tags=["x","y"]',
          'unknown=42',
        ],
        schema,
      ),
    ).toEqual({
      company: 'Acme = Co',
      height: 1.8,
      count: 3,
      hat: true,
      options: { a: 1 },
      tags: ['x', 'y'],
      unknown: '42',
    });
    expect(buildInput(['company=007'], schema)).toEqual({ company: '007' });
  });

  it('refuses what cannot be read, naming the field', () => {
    expect(() => buildInput(['height=tall'], schema)).toThrow(/--input height takes a number/);
    expect(() => buildInput(['height='], schema)).toThrow(UsageError);
    expect(() => buildInput(['hat=yes'], schema)).toThrow(/true or false/);
    expect(() => buildInput(['tags=x,y'], schema)).toThrow(/JSON/);
    expect(() => buildInput(['company'], schema)).toThrow(/name=value/);
  });

  it('puts an uploaded file’s id in a list for a field that takes several, else as it is', () => {
    const input: Record<string, unknown> = {};
    addFile(input, 'csv', 'file_1', schema);
    addFile(input, 'csv', 'file_2', schema);
    addFile(input, 'doc', 'file_3', schema);
    expect(input).toEqual({ csv: ['file_1', 'file_2'], doc: 'file_3' });
    expect(mediaTypeOf('data/People.CSV')).toBe('text/csv');
    expect(mediaTypeOf('blob')).toBe('application/octet-stream');
  });
});
