import { describe, expect, it } from 'vitest';
import { isStrictCompatible, schemaProblem, validateJson } from './json-schema.ts';

const messages = (schema: Record<string, unknown>, value: unknown) =>
  validateJson(schema, value).map((i) => `${i.path} ${i.message}`);

describe('validateJson', () => {
  const invoice = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^INV-[0-9]+$' },
      lines: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            qty: { type: 'integer', minimum: 1 },
            price: { type: 'number', exclusiveMinimum: 0 },
          },
          required: ['qty', 'price'],
          additionalProperties: false,
        },
      },
      status: { enum: ['draft', 'sent'] },
      note: { type: ['string', 'null'], maxLength: 5 },
    },
    required: ['id', 'lines'],
  };

  it('accepts a matching value', () => {
    expect(
      validateJson(invoice, { id: 'INV-1', lines: [{ qty: 2, price: 1.5 }], status: 'sent', note: null }),
    ).toEqual([]);
  });

  it('reports every problem with its path', () => {
    expect(
      messages(invoice, {
        id: 'X',
        lines: [{ qty: 0, price: 1, extra: 1 }, { qty: 1.5 }],
        status: 'paid',
        note: 'toolong',
      }),
    ).toEqual([
      '$.id must match the pattern /^INV-[0-9]+$/',
      '$.lines[0].qty must be at least 1',
      '$.lines[0].extra is not an allowed field',
      '$.lines[1].price is required',
      '$.lines[1].qty must be integer, not number',
      '$.status must be one of ["draft","sent"]',
      '$.note must have at most 5 characters',
    ]);
    expect(messages(invoice, [])).toEqual(['$ must be object, not array']);
  });

  it('follows local $ref, anyOf, oneOf, allOf, not, const and if/then', () => {
    const schema = {
      $defs: { pos: { type: 'number', minimum: 0 } },
      type: 'object',
      properties: {
        a: { $ref: '#/$defs/pos' },
        b: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        c: { oneOf: [{ type: 'number' }, { type: 'integer' }] },
        d: { allOf: [{ type: 'string' }, { minLength: 2 }] },
        e: { not: { const: 'x' } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords.
        f: { if: { type: 'string' }, then: { minLength: 3 } },
      },
    };
    expect(validateJson(schema, { a: 1, b: 'x', c: 1.5, d: 'ok', e: 'y', f: 'abc' })).toEqual([]);
    expect(messages(schema, { a: -1, b: true, c: 1, d: 'k', e: 'x', f: 'ab' })).toEqual([
      '$.a must be at least 0',
      '$.b must be string or integer, not boolean',
      '$.c matches more than one of the allowed shapes',
      '$.d must have at least 2 characters',
      '$.e matches a shape that is not allowed',
      '$.f must have at least 3 characters',
    ]);
  });

  it('runs patterns in RE2, so a catastrophic pattern cannot freeze the process', () => {
    const schema = { type: 'string', pattern: '^(a+)+$' };
    expect(validateJson(schema, `${'a'.repeat(5000)}!`)).toHaveLength(1);
    expect(validateJson(schema, 'a'.repeat(5000))).toEqual([]);
  });
});

describe('schemaProblem', () => {
  it('finds what makes a schema unusable', () => {
    expect(schemaProblem({ type: 'object', properties: { a: { type: 'string' } } })).toBeNull();
    expect(schemaProblem({ type: 'object', properties: { a: { type: 'text' } } })).toBe(
      '$.properties.a.type: unknown type "text"',
    );
    expect(schemaProblem({ properties: { a: { $ref: 'https://x.org/s.json' } } })).toContain(
      'is not a local reference that exists in the schema',
    );
    expect(schemaProblem({ type: 'string', pattern: '(?<=a)b' })).toContain(
      'is not a pattern the platform can run',
    );
    // Data is not read as a schema.
    expect(schemaProblem({ enum: [{ type: 'nonsense' }] })).toBeNull();
  });
});

describe('isStrictCompatible', () => {
  it('is true only when every object closes and requires all of its fields', () => {
    const closed = {
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: { b: { type: 'string' } },
          required: ['b'],
          additionalProperties: false,
        },
      },
      required: ['a'],
      additionalProperties: false,
    };
    expect(isStrictCompatible(closed)).toBe(true);
    expect(isStrictCompatible({ ...closed, required: [] })).toBe(false);
    expect(
      isStrictCompatible({
        ...closed,
        properties: { a: { type: 'object', properties: { b: { type: 'string' } } } },
      }),
    ).toBe(false);
    expect(isStrictCompatible({ type: 'array' })).toBe(false);
  });
});
