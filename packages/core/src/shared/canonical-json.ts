/**
 * A JSON encoding that is stable (object keys sorted) and lossless for the values the ledger stores:
 * bigints and Dates survive a round trip. Idempotency compares request bodies by this encoding, so two
 * bodies that differ only in key order are the same body.
 */
const BIGINT = '$bigint';
const DATE = '$date';

function encodeValue(value: unknown): unknown {
  if (typeof value === 'bigint') return { [BIGINT]: value.toString() };
  if (value instanceof Date) return { [DATE]: value.toISOString() };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = encodeValue(v);
    }
    return out;
  }
  return value;
}

export function toCanonicalJson(value: unknown): string {
  return JSON.stringify(encodeValue(value));
}

export function fromCanonicalJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === BIGINT) return BigInt(v[BIGINT]);
      if (keys.length === 1 && keys[0] === DATE) return new Date(v[DATE]);
    }
    return v;
  }) as T;
}
