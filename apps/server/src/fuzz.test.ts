import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.ts';
import { type Person, signUp, startTestServer } from './testing/api-client.ts';

type Op = { path: string; method: string; jsonBody: boolean };

/** Strings that have broken servers somewhere: injections, control and odd Unicode, sheer size. */
const NASTY = [
  "'; drop table users; --",
  '" or "1"="1',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the Log4Shell lookup, sent as text on purpose
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '%s%s%s%n',
  'a\r\nSet-Cookie: x=1',
  '\u0000',
  '\ud800',
  '\u202e\u0041\u0301\u200b',
  '🧨'.repeat(1000),
  'x'.repeat(100_000),
  '__proto__',
  'constructor',
  '-1',
  '1e309',
  'NaN',
  '',
];

/** Whole bodies that are not what any endpoint expects. */
const MALFORMED = [
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '12',
  'true',
  '{"__proto__":{"admin":true}}',
  '{"a":1,"a":2}',
  '\u0000',
  '\ud800',
  `{"x":"${'\\u0000'}"}`,
  `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  JSON.stringify({ input: { text: 'x'.repeat(1024 * 1024 + 10) } }),
];

/**
 * Every operation of the OpenAPI document, as a signed-in user with every scope (so that what is
 * tested is the handling of the input, not the refusal of a stranger): malformed JSON, wrong types,
 * huge and deeply nested bodies, Unicode oddities and injection strings in bodies, paths and queries.
 * Every answer is a 4xx (or a 2xx for what happens to be valid); never a 5xx, never a dropped
 * connection; and afterwards the server is healthy and the ledger balances.
 */
describe('fuzzing every endpoint', () => {
  let server: RunningServer;
  let url: string;
  let person: Person;
  let ops: Op[];

  beforeAll(async () => {
    server = await startTestServer({ JETON_WEBHOOKS_ALLOW_PRIVATE: 'false' });
    url = server.url!;
    person = await signUp(url, 'Fuzzer');
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    };
    // Signing out would end the session the fuzzer needs to get past authentication: it has no input.
    ops = Object.entries(doc.paths)
      .filter(([path]) => path !== '/v1/auth/sign-out')
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          path,
          method: method.toUpperCase(),
          jsonBody: Boolean(op.requestBody?.content['application/json']),
        })),
      );
  });
  afterAll(() => server?.close());

  const failures: string[] = [];
  /** Answers by status: the fuzz only means something if it gets past authentication. */
  const statuses = new Map<number, number>();
  const check = async (op: Op, path: string, init: { raw?: string; body?: unknown }, what: string) => {
    try {
      const r = await person.call(path, { method: op.method, ...init });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status >= 500)
        failures.push(`${op.method} ${op.path} (${what}): ${r.status} ${r.text.slice(0, 200)}`);
    } catch (error) {
      failures.push(`${op.method} ${op.path} (${what}): ${String(error)}`);
    }
  };
  /** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) as the bytes a client might send. */
  const enc = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  };
  /** The path with every parameter set to `value`. */
  const at = (op: Op, value: string) => op.path.replace(/\{\w+\}/g, enc(value));

  it('answers malformed and oversized bodies with a 4xx', async () => {
    const withBody = ops.filter((o) => o.jsonBody);
    expect(withBody.length).toBeGreaterThan(8);
    for (const op of withBody) {
      for (const raw of MALFORMED) await check(op, at(op, 'x'), { raw }, `body ${raw.slice(0, 20)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers bodies of the wrong shape and odd values with a 4xx', async () => {
    const withBody = ops.filter((o) => o.jsonBody);
    const nasty = fc.constantFrom(...NASTY);
    // Random JSON, and objects whose keys are the names endpoints use, with values of every type.
    const keys = fc.constantFrom(
      'agent',
      'input',
      'maxCredits',
      'email',
      'password',
      'name',
      'url',
      'events',
      'credits',
      'rating',
      'body',
      'manifest',
      'bundle',
      'handle',
      'displayName',
      'scopes',
      'questionId',
      'answer',
    );
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      nasty,
      fc.integer(),
      fc.double(),
      fc.constant(null),
    );
    const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(keys, value, { maxKeys: 6 }));
    for (const op of withBody) {
      const samples = fc.sample(body, { numRuns: 25, seed: 42 });
      for (const sample of samples)
        await check(op, at(op, 'x'), { body: sample }, `body ${JSON.stringify(sample)?.slice(0, 40)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers odd path parameters and query strings with a 4xx', async () => {
    for (const op of ops) {
      for (const s of NASTY.filter((x) => x.length < 5000)) {
        if (op.path.includes('{'))
          await check(op, at(op, s), op.jsonBody ? { body: {} } : {}, `param ${s.slice(0, 20)}`);
        const query = `?q=${enc(s)}&limit=${enc(s)}&cursor=${enc(s)}&status=${enc(s)}`;
        await check(op, `${at(op, 'x')}${query}`, op.jsonBody ? { body: {} } : {}, `query ${s.slice(0, 20)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('is healthy afterwards, with a ledger that balances', async () => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(1500);
    expect(statuses.get(401) ?? 0).toBeLessThan(total * 0.05);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(100);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await server.ledger.verify()).ok).toBe(true);
    const me = await person.call('/v1/me');
    expect(me.status).toBe(200);
  });
});
