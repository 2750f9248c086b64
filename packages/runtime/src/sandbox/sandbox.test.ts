import { describe, expect, it } from 'vitest';
import {
  codeManifest,
  type Ended,
  expectFailure,
  expectHealthy,
  expectHostUntouched,
  FAKE_MODELS,
  fakeFetch,
  runBundle,
  slowCore,
  slowModels,
} from './fixtures.ts';
import type { HostFetch, HostLookup } from './network.ts';
import { codeUnavailable } from './run-code-agent.ts';

const FULL_AGENT = `
export default {
  async run(ctx, input) {
    ctx.progress(10, 'Starting on ' + input.topic);
    ctx.log('secret length ' + ctx.secrets.API_KEY.length, 'warn');
    console.log('from console', { n: 1 });
    const [doc] = ctx.files.doc;
    const text = await doc.text();
    const bytes = await doc.bytes();
    const answer = await ctx.model({ system: 'Be brief.', prompt: 'hello ' + text, onText: (t) => ctx.log('streamed ' + t) });
    const asked = await ctx.ask('Which colour?', { type: 'object', properties: { colour: { type: 'string', title: 'Colour' } } });
    await ctx.charge('page', 2);
    const page = await ctx.fetch('https://api.example.com/v1?q=1', { headers: { accept: 'text/plain' } });
    await ctx.artifact('report.md', [
      'run ' + ctx.runId,
      'file ' + doc.name + ' ' + doc.mediaType + ' ' + doc.size + ' ' + bytes.length + ' ' + (bytes instanceof Uint8Array),
      'model ' + answer.text + ' ' + answer.model + ' ' + answer.usage.outputTokens + ' ' + ctx.model.available,
      'asked ' + asked.colour,
      'fetched ' + page.status + ' ' + (await page.text()) + ' ' + page.headers.get('content-type'),
      'aborted ' + ctx.signal.aborted,
      'encoded ' + new TextDecoder().decode(new TextEncoder().encode('héllo ✓')),
    ].join('\\n'), 'text/markdown');
    await ctx.artifact('data.bin', new Uint8Array([1, 2, 3]), 'application/octet-stream');
    await ctx.artifact('buffer.bin', new Uint16Array([258]).buffer, 'application/octet-stream');
    ctx.progress(100, 'Done');
  },
};
`;

describe('the code sandbox runs an agent', () => {
  it('with its input, files, secrets, model, questions, charges, network and artifacts', async () => {
    const fetch = fakeFetch(() => new Response('pong', { headers: { 'content-type': 'text/plain' } }));
    const run = await runBundle(FULL_AGENT, {
      models: FAKE_MODELS,
      code: { fetch },
      local: {
        files: [{ field: 'doc', name: 'notes.txt', mediaType: 'text/plain', bytes: 'abc' }],
        secrets: { API_KEY: 's3cret', OTHER: 'not declared' },
        answer: () => ({ colour: 'teal' }),
      },
    });
    const { result } = run;
    expect(result.failure).toBeNull();
    expect(result.status).toBe('succeeded');
    expect(result.artifacts.get('report.md')?.text()).toBe(
      [
        'run run_local',
        'file notes.txt text/plain 3 3 true',
        'model HELLO ABC fake/model 5 true',
        'asked teal',
        'fetched 200 pong text/plain',
        'aborted false',
        'encoded héllo ✓',
      ].join('\n'),
    );
    expect([...result.artifacts.get('data.bin')!.bytes]).toEqual([1, 2, 3]);
    expect([...result.artifacts.get('buffer.bin')!.bytes]).toEqual([2, 1]);
    expect(result.progress).toEqual([
      { percent: 10, message: 'Starting on cats' },
      { percent: 100, message: 'Done' },
    ]);
    expect(result.logs).toEqual([
      { level: 'warn', message: 'secret length 6' },
      { level: 'info', message: 'from console {"n":1}' },
      { level: 'info', message: 'streamed HELLO ABC' },
    ]);
    expect(result.charges).toEqual([{ event: 'page', quantity: 2 }]);
    expect(result.modelCalls).toEqual([
      { model: 'fake/model', inputTokens: 3, outputTokens: 5, costMicroCredits: 1200n },
    ]);
    expect(result.credits).toBe(4);
    expect(fetch.requests).toHaveLength(1);
    expect(fetch.requests[0]!.url.href).toBe('https://api.example.com/v1?q=1');
    expect(fetch.requests[0]!.headers).toEqual([['accept', 'text/plain']]);
    expect(fetch.requests[0]!.addresses.map((a) => a.address)).toContain('93.184.216.34');
    expectHostUntouched(run);
  });

  it('given as a default-exported function, with only the declared secrets', async () => {
    const { result } = await runBundle(
      `export default async function run(ctx, input) {
        await ctx.artifact('out.json', JSON.stringify({ input, secrets: ctx.secrets, files: Object.keys(ctx.files) }), 'application/json');
      }`,
      { local: { input: { topic: 'dogs' }, secrets: { OTHER: 'x' } } },
    );
    expect(result.status).toBe('succeeded');
    expect(JSON.parse(result.artifacts.get('out.json')!.text())).toEqual({
      input: { topic: 'dogs' },
      secrets: {},
      files: [],
    });
  });

  it('keeps the failure code of a platform failure the agent lets through', async () => {
    const { result } = await runBundle(
      `export default async (ctx) => { await ctx.model({ prompt: 'fail:provider_transient' }); }`,
      { models: FAKE_MODELS },
    );
    expectFailure(result, 'provider_transient', 'The model failed (provider_transient).');
  });

  it('does not let an agent forge a platform failure code', async () => {
    const { result } = await runBundle(
      `export default async () => {
        const e = new Error('blame the platform');
        e.code = 'provider_transient';
        e.failureId = '00000000-0000-4000-8000-000000000000';
        throw e;
      }`,
    );
    expectFailure(result, 'agent_error', 'blame the platform');
  });

  it.each([
    [
      'a timeout message thrown in run',
      `export default async () => { throw new Error('Script execution timed out.'); };`,
      'Script execution timed out.',
    ],
    [
      'a timeout message thrown at top level',
      `throw new Error('Script execution timed out.');\nexport default async () => {};`,
      'The bundle failed while loading: Script execution timed out.',
    ],
    [
      'an allocation failure',
      `export default async () => { throw new RangeError('Array buffer allocation failed'); };`,
      'RangeError: Array buffer allocation failed',
    ],
    [
      'a memory-limit message',
      `export default async () => { throw new Error('Isolate was disposed during execution due to memory limit'); };`,
      'Isolate was disposed during execution due to memory limit',
    ],
  ])(
    'decides the failure code from the sandbox’s state, not from a message the agent can throw: %s',
    async (_, bundle, message) => {
      const { result } = await runBundle(bundle);
      expectFailure(result, 'agent_error', message);
      expect(result.failure!.message).toBe(message);
    },
  );

  it('does not honour a platform failure a later call of the same kind made irrelevant', async () => {
    const { result } = await runBundle(
      `export default async (ctx) => {
        let saved;
        try { await ctx.model({ prompt: 'fail:provider_transient' }); } catch (e) { saved = e; }
        await ctx.model({ prompt: 'it works again' });
        throw saved;
      }`,
      { models: FAKE_MODELS },
    );
    expectFailure(result, 'agent_error', 'AgentFailure: The model failed (provider_transient).');
  });

  it('refuses a question timed out below the minimum, which would blame the buyer', async () => {
    const { result } = await runBundle(
      `export default async (ctx) => {
        await ctx.ask('Which colour?', { type: 'object', properties: {} }, { timeoutSeconds: 0.001 });
      }`,
      { local: { answer: () => ({}) } },
    );
    expectFailure(
      result,
      'agent_error',
      'RangeError: ctx.ask: timeoutSeconds must be at least 10, to give the buyer time to answer.',
    );
  });

  it.each([
    ['the CPU limit', `for (;;) {}`, 'agent_timeout'],
    [
      'the memory limit',
      `const keep = []; for (;;) keep.push(new Array(100000).fill(Math.random()));`,
      'agent_violation',
    ],
    ['a throw', `throw new Error('gave up');`, 'agent_error'],
    ['a violation', `await ctx.fetch('https://evil.example.net/');`, 'agent_violation'],
    ['a cancellation', `ctx.log('cancel'); for (;;) {}`, 'cancelled_by_buyer'],
    ['success', `return;`, null],
  ])('ends only when the host work the agent started has ended, on %s', async (_, end, code) => {
    const ended: Ended = [];
    const controller = new AbortController();
    const run = await runBundle(
      `export default async (ctx) => {
        ctx.artifact('late.txt', 'x', 'text/plain');
        ctx.charge('page');
        ctx.model({ prompt: 'slow' });
        ${end}
      }`,
      {
        core: (core) => {
          const slow = slowCore(300, ended)(core);
          return {
            ...slow,
            log: (level, message) => (message === 'cancel' ? controller.abort() : slow.log(level, message)),
          };
        },
        models: slowModels(300),
        code: { cpuTimeMs: 200, memoryMb: 16 },
        local: { signal: controller.signal },
      },
    );
    await run.settled;
    const atEnd = ended.length;
    const recorded = [run.result.artifacts.size, run.result.charges.length, run.result.modelCalls.length];
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ended.length).toBe(atEnd);
    expect([run.result.artifacts.size, run.result.charges.length, run.result.modelCalls.length]).toEqual(
      recorded,
    );
    expect(ended.map((e) => e.what).sort()).toEqual(['artifact late.txt', 'charge page', 'model slow/model']);
    expect(run.result.failure?.code ?? null).toBe(code);
  });

  it('refuses calls past the bytes the host may hold for calls in flight', async () => {
    const run = await runBundle(
      `export default async (ctx) => {
        const data = new Uint8Array(6 * 1024 * 1024);
        const results = await Promise.allSettled([1, 2, 3, 4].map((i) => ctx.artifact('a' + i + '.bin', data, 'application/octet-stream')));
        await ctx.artifact('r.json', JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.message))), 'application/json');
      }`,
      { core: slowCore(100), code: { memoryMb: 16 } },
    );
    expect(run.result.failure).toBeNull();
    const refused =
      'ctx.artifact: the calls in flight already hold 12582912 bytes, and the sandbox holds at most 16777216 for them; wait for them to end and try again.';
    expect(JSON.parse(run.result.artifacts.get('r.json')!.text())).toEqual(['ok', 'ok', refused, refused]);
    expect([...run.result.artifacts.keys()].sort()).toEqual(['a1.bin', 'a2.bin', 'r.json']);
  });

  it('gives up a name lookup that never answers: after a timeout, and when the run stops', async () => {
    const never: HostLookup = () => new Promise(() => {});
    const timedOut = await runBundle(
      `export default async (ctx) => {
        let error = '';
        try { await ctx.fetch('https://api.example.com/'); } catch (e) { error = e.message; }
        await ctx.artifact('e.txt', error, 'text/plain');
      }`,
      { code: { lookup: never, limits: { lookupTimeoutMs: 50 } } },
    );
    expect(timedOut.result.artifacts.get('e.txt')!.text()).toBe(
      'ctx.fetch: could not resolve api.example.com (no answer in 50 ms).',
    );
    const controller = new AbortController();
    const stopped = await runBundle(
      `export default async (ctx) => { ctx.fetch('https://api.example.com/'); await new Promise(() => {}); }`,
      {
        code: {
          lookup: () => {
            setTimeout(() => controller.abort(), 20);
            return new Promise(() => {});
          },
          // Neither bound can end it: only giving up the lookup on the run's signal does.
          limits: { lookupTimeoutMs: 60_000, drainTimeoutMs: 60_000 },
        },
        local: { signal: controller.signal },
      },
    );
    expect(stopped.result.status).toBe('cancelled');
    const ended = await stopped.settled;
    expect((ended as Error).message).toBe('The run has stopped.');
  }, 5000);

  it('refuses a charge past the maximum as the platform does', async () => {
    const { result } = await runBundle(`export default async (ctx) => { await ctx.charge('page', 6); }`);
    expectFailure(result, 'agent_error', 'above its maximum of 10');
  });

  it('ends the run as agent_error with the message when the agent throws (cut to 2,000 characters)', async () => {
    const { result } = await runBundle(`export default async () => { throw new Error('x'.repeat(5000)); }`);
    expectFailure(result, 'agent_error', 'xxx');
    expect(result.failure!.message.length).toBeLessThanOrEqual(2001);
    const thrown = await runBundle(`export default async () => { throw 'a plain string'; }`);
    expectFailure(thrown.result, 'agent_error', 'a plain string');
  });

  it('refuses a bundle that does not compile, and one without a default run', async () => {
    expectFailure(
      (await runBundle(`export default async function run( {`)).result,
      'agent_error',
      /^The bundle is not a valid JavaScript module: .*Unexpected/,
    );
    expectFailure(
      (await runBundle(`export const run = async () => {};`)).result,
      'agent_error',
      'The bundle has no default export',
    );
    expectFailure(
      (await runBundle(`export default { name: 'no run' };`)).result,
      'agent_error',
      'a default export of type object',
    );
    expectFailure(
      (await runBundle(`throw new Error('broken at load');`)).result,
      'agent_error',
      'The bundle failed while loading: broken at load',
    );
    await expectHealthy();
  });

  it('checks the arguments of every ctx call and lets the agent catch what it got wrong', async () => {
    const { result } = await runBundle(
      `export default async (ctx) => {
        const errors = [];
        const attempt = async (f) => { try { await f(); errors.push('accepted'); } catch (e) { errors.push(e.name + ': ' + e.message); } };
        await attempt(() => ctx.log(42));
        await attempt(() => ctx.log('x', 'debug'));
        await attempt(() => ctx.progress(150, 'too far'));
        await attempt(() => ctx.charge('page', 1.5));
        await attempt(() => ctx.charge('nope'));
        await attempt(() => ctx.artifact('../etc/passwd', 'x', 'text/plain'));
        await attempt(() => ctx.artifact('a.txt', { length: 3 }, 'text/plain'));
        await attempt(() => ctx.model({ prompt: 'hi', tools: [] }));
        await attempt(() => ctx.fetch('https://api.example.com/', { headers: { host: 'internal' } }));
        await attempt(() => ctx.fetch('https://api.example.com/', { method: 'TRACE' }));
        await attempt(() => ctx.fetch('not a url'));
        await attempt(() => ctx.files.doc[0].text());
        await ctx.artifact('errors.json', JSON.stringify(errors), 'application/json');
      }`,
      {
        local: {
          files: [{ field: 'doc', name: 'big.txt', mediaType: 'text/plain', bytes: 'x'.repeat(2000) }],
        },
        code: { limits: { maxFileBytes: 1000 } },
      },
    );
    expect(result.status).toBe('succeeded');
    expect(JSON.parse(result.artifacts.get('errors.json')!.text())).toEqual([
      'TypeError: ctx.log: the message must be a string.',
      'TypeError: ctx.log: the level must be "info", "warn" or "error".',
      'TypeError: ctx.progress: the percentage must be a number from 0 to 100, or null.',
      'TypeError: ctx.charge: the quantity must be a whole number of at least 1.',
      'AgentFailure: The price has no event "nope".',
      'TypeError: ctx.artifact: "../etc/passwd" is not a valid artifact name.',
      'TypeError: ctx.artifact: the content must be a string, a Uint8Array or an ArrayBuffer.',
      'TypeError: ctx.model: the request has an unknown field "tools".',
      'TypeError: ctx.fetch: the header "host" is set by the sandbox.',
      'TypeError: ctx.fetch: the method "TRACE" is not allowed.',
      'TypeError: ctx.fetch: "not a url" is not a valid URL.',
      'RangeError: The file "big.txt" is 2000 bytes; the sandbox reads files of up to 1000 bytes.',
    ]);
  });

  it('caps what the agent sends: artifacts and log lines', async () => {
    const { result } = await runBundle(
      `export default async (ctx) => {
        for (let i = 0; i < 10; i++) ctx.log('line ' + i + ' ' + 'y'.repeat(100));
        let refused = '';
        try { await ctx.artifact('big.bin', new Uint8Array(2048), 'application/octet-stream'); } catch (e) { refused = e.message; }
        await ctx.artifact('refused.txt', refused, 'text/plain');
      }`,
      { code: { limits: { maxLogLines: 5, maxMessageChars: 20, maxArtifactBytes: 1024 } } },
    );
    expect(result.status).toBe('succeeded');
    expect(result.artifacts.get('refused.txt')!.text()).toBe(
      'The artifact is 2048 bytes, above the limit of 1024.',
    );
    expect(result.logs).toHaveLength(5);
    expect(result.logs[0]!.message).toBe(`line 0 ${'y'.repeat(13)}…`);
    expect(result.logs[4]!.message).toContain('Further log lines are dropped');
  });

  it('caps a response body and returns redirects to the agent instead of following them', async () => {
    const fetch = fakeFetch((request) =>
      request.url.pathname === '/big'
        ? new Response('z'.repeat(5000))
        : new Response(null, { status: 302, headers: { location: 'https://elsewhere.example.net/' } }),
    );
    const { result } = await runBundle(
      `export default async (ctx) => {
        const moved = await ctx.fetch('https://api.example.com/moved');
        let big = '';
        try { await ctx.fetch('https://api.example.com/big'); } catch (e) { big = e.message; }
        await ctx.artifact('out.txt', moved.status + ' ' + moved.headers.get('location') + ' | ' + big, 'text/plain');
      }`,
      { code: { fetch, limits: { maxResponseBytes: 1000 } } },
    );
    expect(result.status).toBe('succeeded');
    expect(result.artifacts.get('out.txt')!.text()).toBe(
      "302 https://elsewhere.example.net/ | The response from api.example.com is larger than the sandbox's limit of 1000 bytes.",
    );
  });

  it('asks the host for the abort flag at most every 50 ms, however often the agent reads it', async () => {
    const { result } = await runBundle(
      `export default async (ctx) => {
        let seen = 0;
        for (let i = 0; i < 100000; i++) if (ctx.signal.aborted) seen++;
        ctx.signal.throwIfAborted();
        await ctx.artifact('seen.txt', String(seen) + ' ' + ctx.signal.reason, 'text/plain');
      }`,
      { code: { limits: { maxBridgeCalls: 1000 } } },
    );
    expect(result.failure).toBeNull();
    expect(result.artifacts.get('seen.txt')!.text()).toBe('0 undefined');
  });

  it('caps the calls in flight at once', async () => {
    const slowFetch: HostFetch = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return new Response('slow');
    };
    const bundle = `export default async (ctx) => {
      const results = await Promise.allSettled([1, 2, 3].map((i) => ctx.fetch('https://api.example.com/' + i)));
      const status = results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.message));
      await ctx.artifact('r.json', JSON.stringify(status), 'application/json');
    }`;
    const fetches = await runBundle(bundle, {
      code: { fetch: slowFetch, limits: { maxConcurrentFetches: 2 } },
    });
    expect(JSON.parse(fetches.result.artifacts.get('r.json')!.text())).toEqual([
      'ok',
      'ok',
      'ctx.fetch: at most 2 requests may be in flight at once.',
    ]);
    const calls = await runBundle(bundle, { code: { fetch: slowFetch, limits: { maxConcurrentCalls: 2 } } });
    expect(JSON.parse(calls.result.artifacts.get('r.json')!.text())).toEqual([
      'ok',
      'ok',
      'Too many ctx calls at once (the limit is 2).',
    ]);
  });

  it('says why a manifest or bundle cannot run', () => {
    const manifest = codeManifest();
    expect(codeUnavailable(manifest, 'export default async () => {}')).toBeNull();
    expect(codeUnavailable(manifest, null)).toBe('This agent version has no code bundle.');
    expect(codeUnavailable(manifest, '  ')).toBe('This agent version has no code bundle.');
    const builtin = codeManifest({ runtime: { kind: 'builtin', entry: 'brand-kit' } });
    expect(codeUnavailable(builtin, 'x')).toContain('"builtin"');
  });
});
