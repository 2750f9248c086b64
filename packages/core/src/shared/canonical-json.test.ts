import { describe, expect, it } from 'vitest';
import { fromCanonicalJson, toCanonicalJson } from './canonical-json.ts';

describe('canonical JSON', () => {
  it('does not depend on key order', () => {
    expect(toCanonicalJson({ b: 1, a: { d: 2n, c: 'x' } })).toBe(
      toCanonicalJson({ a: { c: 'x', d: 2n }, b: 1 }),
    );
  });

  it('round-trips bigints and dates exactly', () => {
    const value = {
      amount: 9_007_199_254_740_993n,
      at: new Date('2026-01-02T03:04:05.678Z'),
      list: [1n, 'a'],
    };
    expect(fromCanonicalJson(toCanonicalJson(value))).toEqual(value);
  });

  it('drops undefined fields so an omitted option equals an absent one', () => {
    expect(toCanonicalJson({ a: 1, b: undefined })).toBe(toCanonicalJson({ a: 1 }));
  });
});
