import type { Context } from 'hono';
import type { z } from 'zod';
import { problem } from '../problem.ts';

/** The most a JSON request body may weigh. */
export const MAX_JSON_BYTES = 1024 * 1024;

/**
 * Reads and validates a JSON body: too large (413), not JSON (400), or not the expected shape (422
 * with every issue and its path) are all clear errors, never a 500.
 */
export async function parseJsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
): Promise<{ ok: true; value: z.output<T> } | { ok: false; response: Response }> {
  // JSON only: a browser sends that cross-site only after a CORS preflight this server never answers,
  // so no other site's form (text/plain, urlencoded) can sign someone in or change anything.
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!/^application\/([\w.-]+\+)?json$/.test(mediaType)) {
    return {
      ok: false,
      response: problem('unsupported-media-type', 'The body must be JSON', 415, {
        detail: 'Send the body with "content-type: application/json".',
      }),
    };
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_JSON_BYTES) return { ok: false, response: tooLarge() };
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) return { ok: false, response: tooLarge() };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      response: problem('malformed-json', 'The body is not valid JSON', 400, {
        detail: 'Send a JSON object with "content-type: application/json".',
      }),
    };
  }
  const unstorable = findUnstorableText(json, '$');
  if (unstorable) {
    return {
      ok: false,
      response: problem('invalid-request', 'The request is not valid', 422, {
        issues: [{ path: unstorable, message: 'text must not contain NUL characters or lone surrogates' }],
      }),
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      response: problem('invalid-request', 'The request is not valid', 422, {
        issues: parsed.error.issues.map((i) => ({
          path: ['$', ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
            .join('.')
            .replaceAll('.[', '['),
          message: i.message,
        })),
      }),
    };
  }
  return { ok: true, value: parsed.data };
}

/** NUL and lone surrogates are valid JSON but cannot be stored (Postgres refuses them in text and jsonb). */
const unstorable = (text: string) => text.includes('\0') || /\p{Cs}/u.test(text);

/** The path of the first string (or key) that cannot be stored, or null. Deep values are walked iteratively. */
function findUnstorableText(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (unstorable(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (unstorable(k)) return path;
        stack.push([x, `${path}.${k}`]);
      }
    }
  }
  return null;
}

function tooLarge(): Response {
  return problem('body-too-large', 'The body is too large', 413, {
    detail: `At most ${MAX_JSON_BYTES} bytes.`,
  });
}
