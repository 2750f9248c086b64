import type { ManifestInput } from '@jeton/core';

/**
 * A valid manifest for tests and benchmarks: a built-in "echo" agent whose runtime entry is the slug,
 * so that two fixtures differ in what they do unless a test makes them the same.
 */
export function agentManifest(slug: string, overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    manifestVersion: 1,
    slug,
    name: `Agent ${slug}`,
    summary: `The ${slug} agent, used in tests.`,
    description: '',
    category: 'other',
    tags: [],
    version: '1.0.0',
    input: {
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string', title: 'Text', maxLength: 1000 } },
    },
    outputs: [{ name: 'echo.txt', mediaType: 'text/plain' }],
    pricing: { model: 'per_run', credits: 10 },
    runtime: { kind: 'builtin', entry: slug },
    ...overrides,
  };
}
