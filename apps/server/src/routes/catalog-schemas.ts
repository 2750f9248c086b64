import { CATEGORIES } from '@jeton/core';
import { z } from 'zod';
import { isoTime, jsonObject } from '../openapi/schemas.ts';

/** The catalog's answers, as documented (and checked in tests). */
const when = isoTime;

export const agentCardSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    summary: z.string(),
    category: z.enum(CATEGORIES),
    tags: z.array(z.string()),
    status: z.string(),
    creator: z.object({ handle: z.string(), name: z.string() }).nullable(),
    needsModel: z.boolean(),
    price: z.object({
      model: z.enum(['per_run', 'per_event', 'per_token']),
      maxCredits: z.int().meta({ description: 'The most one run can cost.' }),
    }),
    stats: z.object({
      runs: z.int(),
      successRate: z.number().nullable(),
      medianDurationMs: z.number().nullable(),
      medianCredits: z.number().nullable(),
      rating: z.number(),
      reviews: z.int(),
      lastTest: z.object({ status: z.string(), at: when.nullable() }).nullable(),
    }),
    rankScore: z.number(),
    publishedAt: when.nullable(),
    updatedAt: when.nullable(),
  })
  .meta({ id: 'AgentCard' });

export const agentPageSchema = agentCardSchema
  .extend({
    description: z.string(),
    version: z
      .object({
        version: z.string(),
        input: jsonObject.optional().meta({ description: 'The input’s JSON Schema.' }),
        outputs: z.array(jsonObject).optional(),
        pricing: jsonObject.optional(),
        limits: z.object({ timeoutSeconds: z.int() }).optional(),
        examples: z.array(jsonObject).optional(),
        changelog: z
          .array(z.object({ version: z.string(), date: z.string().optional(), changes: z.string() }))
          .optional(),
        tests: z.object({ status: z.string(), at: when }).nullable().optional(),
        available: z.boolean(),
        unavailableReason: z.string().nullable(),
      })
      .nullable(),
    pendingPriceChange: z
      .object({ version: z.string(), effectiveAt: when, pricing: jsonObject, maxCredits: z.int() })
      .nullable(),
    versions: z.array(
      z.object({
        version: z.string(),
        status: z.enum(['draft', 'published']),
        publishedAt: when.nullable(),
        effectiveAt: when.nullable(),
        tests: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'AgentPage' });

export const reviewSchema = z
  .object({
    id: z.string(),
    rating: z.int().min(1).max(5),
    body: z.string(),
    version: z.string(),
    createdAt: when,
    reply: z.object({ body: z.string(), at: when }).nullable(),
  })
  .meta({ id: 'Review' });
