/**
 * The isolate side of the bridge: JavaScript compiled and run inside the agent's isolate (never in the
 * host) before the bundle is loaded. It receives two values and nothing else:
 *
 * - `$0`, `hostCall(op, id, args)`: an `ivm.Callback` (a plain function in the isolate; its arguments
 *   and result are copied, never shared) answering with an envelope `{ ok, value }` or
 *   `{ ok: false, error }`. Synchronous operations answer at once; asynchronous ones (`id > 0`) answer
 *   `{ ok: true }` for "accepted" and are settled later by the host calling `settle(id, ok, value)`.
 * - `$1`, a copy of the run's data: run id, input, declared secrets, file metadata, model
 *   availability, and the caps the wrappers pre-check (the host checks everything again).
 *
 * It builds `ctx` from plain functions, installs `console` and UTF-8 `TextEncoder`/`TextDecoder` (pure
 * JavaScript, run in the isolate), removes `SharedArrayBuffer`, `Atomics`, `WebAssembly` and `Intl`
 * (whose ICU objects live outside the isolate's heap limit), and returns `{ settle, start }` to the host.
 * JSON values for the host (answer and output schemas) are serialized here, within a budget, so that
 * the host only ever parses a string whose length it checked first.
 * Nothing here is trusted by the host: the agent's code shares this realm and may tamper with it, so
 * it can only break its own ctx, never the host's.
 */
/**
 * UTF-8 in plain JavaScript, run inside the isolate (so it costs the agent's CPU time, not the
 * host's): `utf8Encode(string)` and `utf8Decode(bytes)` with the WHATWG replacement rules (a lone
 * surrogate or an invalid sequence becomes U+FFFD; a leading BOM is dropped when decoding). It uses
 * only the intrinsics it captured when it was defined.
 */
export const UTF8_CODEC = `
const fromCharCode = String.fromCharCode;
const reflectApply = Reflect.apply;
const Bytes = Uint8Array;
const sliceBytes = Uint8Array.prototype.slice;
function utf8Encode(value) {
  const text = '' + value;
  const out = new Bytes(text.length * 3);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 63);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return reflectApply(sliceBytes, out, [0, o]);
}
function utf8Decode(bytes) {
  const n = bytes.length;
  let i = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let text = '';
  let units = [];
  let u = 0;
  const cont = (k) => k < n && (bytes[k] & 0xc0) === 0x80;
  while (i < n) {
    const b = bytes[i];
    let cp = 0xfffd;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b <= 0xdf) {
      if (cont(i + 1)) {
        cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
        len = 2;
      }
    } else if (b >= 0xe0 && b <= 0xef) {
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (i + 1 < n && bytes[i + 1] >= lo && bytes[i + 1] <= hi) {
        len = 2;
        if (cont(i + 2)) {
          cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
          len = 3;
        }
      }
    } else if (b >= 0xf0 && b <= 0xf4) {
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (i + 1 < n && bytes[i + 1] >= lo && bytes[i + 1] <= hi) {
        len = 2;
        if (cont(i + 2)) {
          len = 3;
          if (cont(i + 3)) {
            cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
            len = 4;
          }
        }
      }
    }
    i += len;
    if (cp > 0xffff) {
      cp -= 0x10000;
      units[u++] = 0xd800 + (cp >> 10);
      units[u++] = 0xdc00 + (cp & 0x3ff);
    } else units[u++] = cp;
    if (u >= 8192) {
      text += reflectApply(fromCharCode, null, units);
      units = [];
      u = 0;
    }
  }
  return text + reflectApply(fromCharCode, null, units);
}
`;

export const BOOTSTRAP = `
'use strict';
${UTF8_CODEC}
const hostCall = $0;
const data = $1;
const G = globalThis;
for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'Intl']) delete G[name];
const { freeze, defineProperty, entries } = Object;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const stringify = JSON.stringify;
const caps = data.caps;

// A JSON value as text for the host, refused (RangeError) as soon as it is certainly larger than the
// cap: the replacer sees every value, holes of a sparse array included, and counts at most what each
// adds to the text, so the work stops within the cap's worth of values whatever the value's shape.
function jsonText(value, what) {
  const max = caps.maxJsonBytes;
  const tooLarge = new RangeError(what + ' is larger than ' + max + ' bytes as JSON.');
  let left = max;
  let text;
  try {
    text = stringify(value, function (key, v) {
      const t = typeof v;
      const omitted = t === 'undefined' || t === 'function' || t === 'symbol';
      if (isArray(this)) left -= 1 + (omitted ? 4 : t === 'string' ? v.length + 2 : 1); // null for a hole
      else if (!omitted) left -= key.length + 3 + (t === 'string' ? v.length + 2 : 1);
      if (left < 0) throw tooLarge;
      return v;
    });
  } catch (error) {
    if (error === tooLarge) throw tooLarge;
    throw new TypeError(what + ' must be JSON (no BigInt, no cycles).');
  }
  if (typeof text !== 'string') throw new TypeError(what + ' must be JSON.');
  if (text.length > max) throw tooLarge;
  return text;
}
function jsonObjectText(value, what) {
  if (value === null || typeof value !== 'object' || isArray(value)) throw new TypeError(what + ' must be an object.');
  return jsonText(value, what);
}

function toError(info) {
  const Ctor = info.name === 'TypeError' ? TypeError : info.name === 'RangeError' ? RangeError : Error;
  const error = new Ctor(String(info.message));
  if (typeof info.code === 'string') {
    error.name = 'AgentFailure';
    error.code = info.code;
  }
  if (typeof info.failureId === 'string') defineProperty(error, 'failureId', { value: info.failureId });
  return error;
}

function sync(op, args) {
  const answer = hostCall(op, 0, args);
  if (!answer.ok) throw toError(answer.error);
  return answer.value;
}

const pending = new Map();
let lastId = 0;
function call(op, args) {
  return new Promise((resolve, reject) => {
    const id = ++lastId;
    const answer = hostCall(op, id, args);
    if (!answer.ok) return reject(toError(answer.error));
    pending.set(id, { resolve, reject });
  });
}
function settle(id, ok, value) {
  const waiting = pending.get(id);
  if (waiting === undefined) return;
  pending.delete(id);
  if (ok) waiting.resolve(value);
  else waiting.reject(toError(value));
}

function bytesOf(value, what, max) {
  let bytes;
  if (value instanceof Uint8Array) bytes = value;
  else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  else return value;
  if (bytes.byteLength > max) throw new RangeError(what + ' is ' + bytes.byteLength + ' bytes, above the limit of ' + max + '.');
  // A view over part of a larger buffer is copied so that only its own bytes cross the bridge.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

function decode(value) {
  if (value instanceof Uint8Array) return utf8Decode(value);
  if (value instanceof ArrayBuffer) return utf8Decode(new Uint8Array(value));
  if (isView(value)) return utf8Decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  throw new TypeError('TextDecoder: the input must be an ArrayBuffer or a view of one.');
}

class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(text = '') { return utf8Encode(text); }
}
class TextDecoder {
  constructor(label = 'utf-8') {
    if (!/^utf-?8$/i.test(String(label))) throw new RangeError('Only UTF-8 is supported in the sandbox.');
  }
  get encoding() { return 'utf-8'; }
  decode(bytes) { return bytes === undefined ? '' : decode(bytes); }
}

function show(value) {
  try {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.name + ': ' + value.message;
    if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? String(value);
    return String(value);
  } catch {
    return '[unprintable]';
  }
}
// Past their caps, log lines and progress updates stop here instead of crossing the bridge.
let logs = 0;
let updates = 0;
function log(message, level) {
  if (logs >= caps.maxLogLines) return;
  logs++;
  sync('log', [message, level]);
}
const printer = (level) => (...values) => log(values.map(show).join(' '), level);
const console = freeze({
  log: printer('info'),
  info: printer('info'),
  debug: printer('info'),
  warn: printer('warn'),
  error: printer('error'),
});
defineProperty(G, 'console', { value: console, writable: true, configurable: true });
defineProperty(G, 'TextEncoder', { value: TextEncoder, writable: true, configurable: true });
defineProperty(G, 'TextDecoder', { value: TextDecoder, writable: true, configurable: true });

const files = {};
for (const f of data.files) {
  const file = freeze({
    id: f.id,
    name: f.name,
    mediaType: f.mediaType,
    size: f.size,
    text: () => call('readFile', [f.id, 'text']),
    bytes: () => call('readFile', [f.id, 'bytes']),
  });
  (files[f.field] ??= []).push(file);
}
for (const list of Object.values(files)) freeze(list);

function response(r) {
  const headers = new Map();
  for (const [name, value] of r.headers) headers.set(name, headers.has(name) ? headers.get(name) + ', ' + value : value);
  const body = r.body;
  return freeze({
    url: r.url,
    status: r.status,
    statusText: r.statusText,
    ok: r.status >= 200 && r.status < 300,
    redirected: false,
    headers: freeze({
      get: (name) => headers.get(String(name).toLowerCase()) ?? null,
      has: (name) => headers.has(String(name).toLowerCase()),
      entries: () => headers.entries(),
      keys: () => headers.keys(),
      values: () => headers.values(),
      forEach: (fn) => headers.forEach((value, name) => fn(value, name)),
      [Symbol.iterator]: () => headers.entries(),
    }),
    text: async () => decode(body),
    json: async () => JSON.parse(decode(body)),
    bytes: async () => body.slice(),
    arrayBuffer: async () => body.slice().buffer,
  });
}

function headerPairs(headers) {
  if (headers === undefined || headers === null) return [];
  if (isArray(headers)) return headers.map((pair) => [String(pair[0]), String(pair[1])]);
  if (typeof headers.entries === 'function') {
    return Array.from(headers.entries(), (pair) => [String(pair[0]), String(pair[1])]);
  }
  return entries(headers).map(([name, value]) => [name, String(value)]);
}

const model = freeze(
  defineProperty(
    async function model(request) {
      if (request === null || typeof request !== 'object') throw new TypeError('ctx.model: the request must be an object.');
      const { onText, schema, ...rest } = request;
      const args = schema === undefined ? [rest] : [rest, jsonObjectText(schema, 'ctx.model: schema')];
      const result = await call('model', args);
      if (typeof onText === 'function') onText(result.text);
      return result;
    },
    'available',
    { value: data.modelAvailable, enumerable: true },
  ),
);

// The host's flag, asked at most every 50 ms (the isolate is disposed on abort in any case).
const now = Date.now;
let abortedAt = -Infinity;
let aborted = false;
function isAborted() {
  const t = now();
  if (!aborted && t - abortedAt >= 50) {
    abortedAt = t;
    aborted = sync('aborted', []) === true;
  }
  return aborted;
}
const signal = freeze({
  get aborted() {
    return isAborted();
  },
  get reason() {
    return isAborted() ? 'The run has stopped.' : undefined;
  },
  throwIfAborted() {
    if (isAborted()) throw new Error('The run has stopped.');
  },
});

const ctx = freeze({
  runId: data.runId,
  input: data.input,
  signal,
  files: freeze(files),
  secrets: freeze(data.secrets),
  model,
  progress(percent, message) {
    if (updates >= caps.maxProgressUpdates) return;
    updates++;
    sync('progress', [percent, message]);
  },
  log(message, level = 'info') {
    log(message, level);
  },
  async artifact(name, content, mediaType) {
    return call('artifact', [name, bytesOf(content, 'The artifact', caps.maxArtifactBytes), mediaType]);
  },
  async charge(event, quantity) {
    return call('charge', quantity === undefined ? [event] : [event, quantity]);
  },
  async ask(question, answerSchema, options) {
    const schema = jsonObjectText(answerSchema, 'ctx.ask: the answer schema');
    return call('ask', options === undefined ? [question, schema] : [question, schema, options]);
  },
  async fetch(url, init = {}) {
    if (typeof url !== 'string') throw new TypeError('ctx.fetch: the URL must be a string.');
    if (init === null || typeof init !== 'object') throw new TypeError('ctx.fetch: init must be an object.');
    const request = {
      method: init.method === undefined ? 'GET' : String(init.method),
      headers: headerPairs(init.headers),
      body: init.body === undefined || init.body === null ? null : bytesOf(init.body, 'The request body', caps.maxRequestBytes),
    };
    return response(await call('fetch', [url, request]));
  },
});

function describe(error) {
  try {
    const isError = error instanceof Error;
    const message = isError ? String(error.message) : show(error);
    return {
      kind: 'thrown',
      name: isError ? String(error.name) : '',
      message: message.slice(0, caps.maxErrorChars),
      failureId: isError && typeof error.failureId === 'string' ? error.failureId : null,
    };
  } catch {
    return { kind: 'thrown', name: '', message: 'The agent threw a value that could not be read.', failureId: null };
  }
}

async function start(namespace) {
  let run = null;
  let found;
  try {
    const entry = namespace.default;
    found = entry === undefined ? 'no default export' : 'a default export of type ' + (entry === null ? 'null' : typeof entry);
    if (typeof entry === 'function') run = entry;
    else if (entry !== null && typeof entry === 'object' && typeof entry.run === 'function') {
      const method = entry.run;
      run = (c, input) => method.call(entry, c, input);
    }
  } catch (error) {
    return describe(error);
  }
  if (run === null) return { kind: 'no_entry', found };
  try {
    await run(ctx, ctx.input);
    return { kind: 'done' };
  } catch (error) {
    return describe(error);
  }
}

return { settle, start };
`;
