import { defineAgent } from '@jeton/runtime';

/** The smallest built-in agent: what a run costs the runtime itself. */
export default defineAgent({
  manifest: {
    manifestVersion: 1,
    slug: 'bench-noop',
    name: 'Bench no-op',
    summary: 'Does nothing: measures the runtime.',
    category: 'other',
    version: '1.0.0',
    input: { type: 'object', properties: {} },
    pricing: { model: 'per_run', credits: 1 },
    runtime: { kind: 'builtin', entry: 'bench-noop' },
  },
  async run(ctx) {
    ctx.progress(100, 'done');
  },
});
