import { describe, expect, it } from 'vitest';
import { validateJson } from './json-schema.ts';
import { isStrictCompatible, schemaProblem } from './schema-checks.ts';

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

  it('stops past its budget of steps: a schema that branches on itself fails as too complex to check', () => {
    const tooComplex = [
      {
        path: '$',
        message:
          'cannot be checked: the schema is too complex to check (more than 100000 steps for this value)',
      },
    ];
    // 37 bytes, 2^64 checks without the budget.
    expect(validateJson({ anyOf: [{ $ref: '#' }, { $ref: '#' }] }, 1)).toEqual(tooComplex);
    // No loop, but 2^20 checks: each level refers twice to the next.
    const $defs: Record<string, unknown> = { d20: { type: 'number' } };
    for (let i = 0; i < 20; i++)
      $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    expect(validateJson({ $defs, $ref: '#/$defs/d0' }, 'x')).toEqual(tooComplex);
    // Recursion that descends into the value, branching at each level.
    const nested = JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`);
    expect(
      validateJson(
        {
          anyOf: [
            { type: 'array', items: { $ref: '#' } },
            { type: 'array', items: { $ref: '#' } },
          ],
          minItems: 1,
        },
        nested,
      ),
    ).toEqual(tooComplex);
  });

  it('checks large values within the budget (unique items are compared by key, not pairwise)', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: i, tags: ['a', 'b'] }));
    const schema = {
      type: 'array',
      uniqueItems: true,
      items: { type: 'object', properties: { id: { type: 'integer' } } },
    };
    expect(validateJson(schema, items)).toEqual([]);
    expect(messages(schema, [...items, { tags: ['a', 'b'], id: 7 }])).toEqual([
      '$[5000] repeats an earlier item',
    ]);
  });

  it('follows $ref through own properties only', () => {
    expect(messages({ $ref: '#/constructor' }, 1)).toEqual([
      "$ cannot be checked: the schema's $ref #/constructor is not found",
    ]);
    expect(messages({ $ref: '#/__proto__' }, 1)).toEqual([
      "$ cannot be checked: the schema's $ref #/__proto__ is not found",
    ]);
    expect(messages({ $ref: '#/%E0%A4%A' }, 1)).toEqual([
      "$ cannot be checked: the schema's $ref #/%E0%A4%A is not found",
    ]);
    expect(messages({ $ref: '#anchor' }, 1)).toEqual([
      "$ cannot be checked: the schema's $ref #anchor is not found",
    ]);
    expect(validateJson({ $defs: { a: [{ type: 'string' }] }, $ref: '#/$defs/a/0' }, 'x')).toEqual([]);
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
    expect(schemaProblem({ $ref: '#/constructor' })).toContain('is not a local reference that exists');
  });

  it('refuses a $ref that loops back without descending into the value, and combinators that fan out too far', () => {
    expect(schemaProblem({ anyOf: [{ $ref: '#' }, { $ref: '#' }] })).toBe(
      '$: the schema refers back to itself through $ref and anyOf/allOf/oneOf/not/if/then/else without descending into the value, so checking an answer would never end',
    );
    expect(schemaProblem({ $ref: '#' })).toContain('refers back to itself');
    expect(
      schemaProblem({
        $defs: { a: { not: { $ref: '#/$defs/b' } }, b: { allOf: [{ $ref: '#/$defs/a' }] } },
        $ref: '#/$defs/a',
      }),
    ).toContain('refers back to itself');
    const $defs: Record<string, unknown> = { d20: { type: 'number' } };
    for (let i = 0; i < 20; i++)
      $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    expect(schemaProblem({ $defs, $ref: '#/$defs/d0' })).toContain('the schema is too complex to check');
    // Recursion through the value's own structure is fine: the value's depth bounds it.
    const tree = {
      type: 'object',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } },
    };
    expect(schemaProblem(tree)).toBeNull();
    expect(validateJson(tree, { name: 'a', children: [{ name: 'b', children: [{ name: 1 }] }] })).toEqual([
      { path: '$.children[0].children[0].name', message: 'must be string, not integer' },
    ]);
    const expression = { anyOf: [{ type: 'number' }, { type: 'array', items: { $ref: '#' } }] };
    expect(schemaProblem(expression)).toBeNull();
    expect(validateJson(expression, [1, [2, [3]]])).toEqual([]);
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
