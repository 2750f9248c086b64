import { RUN_STATUSES } from '@jeton/core';
import { z } from 'zod';

/**
 * The response shapes the API documents (and, in tests, checks every answer against). Request shapes
 * live beside their routes; these are shared by several.
 */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'Stable URI per kind of problem: switch on it.' }),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

const isoTime = z.string().meta({ format: 'date-time' });
const json = z.record(z.string(), z.unknown());

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null at the end.' }),
  });

export const pageQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const failureSchema = z
  .object({
    code: z.string(),
    fault: z.enum(['input', 'agent', 'platform', 'user_cancel']),
    message: z.string(),
  })
  .meta({ id: 'RunFailure' });

export const runSchema = z
  .object({
    id: z.string().meta({ example: 'run_01JD...' }),
    object: z.literal('run'),
    agent: z.object({ id: z.string(), slug: z.string(), version: z.string() }),
    status: z.enum(RUN_STATUSES),
    input: json,
    pricing: json.meta({ description: 'The agent version’s pricing at submission.' }),
    quote: z.int().meta({ description: 'The most this run can cost; held from the wallet.' }),
    charged: z.int().nullable(),
    refunded: z.int().nullable(),
    usage: z.object({ events: z.record(z.string(), z.int()), modelCostMicroCredits: z.string() }),
    attempt: z.int(),
    waitingFor: z.string().nullable(),
    question: z
      .object({
        id: z.string(),
        text: z.string(),
        schema: json,
        askedAt: isoTime,
        deadline: isoTime,
      })
      .nullable(),
    failure: failureSchema.nullable(),
    idempotencyKey: z.string().nullable(),
    timeoutSeconds: z.int(),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    endedAt: isoTime.nullable(),
  })
  .meta({ id: 'Run' });

export const artifactSchema = z
  .object({
    id: z.string(),
    object: z.literal('artifact'),
    runId: z.string(),
    name: z.string(),
    mediaType: z.string(),
    size: z.int(),
    sha256: z.string(),
    createdAt: isoTime,
    url: z.string().meta({ description: 'Download path (same authentication).' }),
  })
  .meta({ id: 'Artifact' });

export { isoTime, json as jsonObject };
