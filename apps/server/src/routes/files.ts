import { OpenAPIHono } from '@hono/zod-openapi';
import type { RunEngine, UploadError } from '@jeton/core';
import type { Context } from 'hono';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
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
export function fileRoutes(engine: RunEngine, deps: EndpointDeps): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();
  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/files',
      operationId: 'files.upload',
      summary: 'Upload an input file',
      description:
        'The raw body, its media type in `content-type`, its name in `?name=`. With `?agent=&field=` the field’s size and type limits apply while it arrives. Put the answer’s `id` in a run’s input.',
      tag: 'Runs',
      auth: 'runs:write',
      query: uploadQuery,
      rawBody: 'The file’s bytes',
      responses: { 201: { description: 'The stored file', schema: fileSchema } },
      problems: [404, 413, 415],
    },
    (c, { query }) => upload(engine, c, query),
  );
  return app;
}

const fileSchema = z
  .object({
    id: z.string(),
    object: z.literal('file'),
    name: z.string(),
    mediaType: z.string(),
    size: z.int(),
    sha256: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'File' });

async function upload(engine: RunEngine, c: Context<AuthEnv>, q: z.output<typeof uploadQuery>) {
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
    name: q.name,
    mediaType,
    body: body as unknown as AsyncIterable<Uint8Array>,
    ...(q.agent ? { agent: q.agent } : {}),
    ...(q.field ? { field: q.field } : {}),
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
