import type { RunEngine, UploadError } from '@jeton/core';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthEnv, Authenticate } from '../auth.ts';
import { problem } from '../problem.ts';
import { catalogProblem } from './catalog-problems.ts';

const uploadQuery = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}/\\]+$/u, 'a file name, without slashes or control characters'),
  agent: z.string().min(1).max(200).optional(),
  field: z.string().min(1).max(100).optional(),
});
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/**
 * Uploads of input files: the raw body, its media type in `content-type`, its name in `?name=`. With
 * `?agent=&field=` the field's limits apply as the bytes arrive (a 2 GB upload to a 5 MB field stops at
 * 5 MB); the run's submission checks them again either way. The answer's `id` goes in the input.
 */
export function fileRoutes(engine: RunEngine, auth: Authenticate): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post('/v1/files', auth('runs:write'), async (c) => {
    const q = uploadQuery.safeParse(c.req.query());
    if (!q.success) {
      return problem('invalid-request', 'The request is not valid', 400, {
        issues: q.error.issues.map((i) => ({ path: ['?', ...i.path].join(''), message: i.message })),
      });
    }
    const mediaType = (c.req.header('content-type') ?? 'application/octet-stream')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!MEDIA_TYPE.test(mediaType)) {
      return problem('invalid-request', 'The request is not valid', 400, {
        issues: [{ path: 'content-type', message: 'a media type such as text/csv' }],
      });
    }
    const body = c.req.raw.body;
    if (!body)
      return problem('invalid-request', 'The request is not valid', 400, { detail: 'The body is empty.' });
    const r = await engine.upload(c.get('actor'), {
      name: q.data.name,
      mediaType,
      body: body as unknown as AsyncIterable<Uint8Array>,
      ...(q.data.agent ? { agent: q.data.agent } : {}),
      ...(q.data.field ? { field: q.data.field } : {}),
    });
    if (!r.ok) return uploadProblem(r.error);
    const f = r.value;
    return c.json(
      {
        id: f.id,
        object: 'file',
        name: f.name,
        mediaType: f.mediaType,
        size: f.size,
        sha256: f.sha256,
        createdAt: f.createdAt.toISOString(),
      },
      201,
    );
  });
  return app;
}

function uploadProblem(e: UploadError): Response {
  switch (e.type) {
    case 'catalog':
      return catalogProblem(e.error);
    case 'not_a_file_field':
      return problem('not-a-file-field', 'That field does not take files', 422, {
        detail: `The agent has no file field "${e.field}".`,
      });
    case 'file_type_refused':
      return problem('file-type-refused', 'This kind of file is not accepted here', 415, {
        detail: `"${e.name}" (${e.mediaType}) is not one of ${e.accept.join(', ')}.`,
        accept: e.accept,
      });
    case 'file_too_large': {
      const res = problem('file-too-large', 'The file is too large', 413, {
        detail: `At most ${e.maxBytes} bytes.`,
        maxBytes: e.maxBytes,
      });
      res.headers.set('connection', 'close');
      return res;
    }
  }
}
