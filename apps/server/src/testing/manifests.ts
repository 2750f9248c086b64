/**
 * The code agent the HTTP suites publish: it takes a text and returns `out.txt`. Each suite adds
 * what it tests (test cases, examples) and ships its own bundle, whose output its assertions read.
 */
export const shouterManifest = (slug: string, version: string, credits: number) => ({
  manifestVersion: 1,
  slug,
  name: 'Shouter',
  summary: 'Shouts the text it is given, in capitals.',
  category: 'writing',
  version,
  input: { type: 'object', required: ['text'], properties: { text: { type: 'string', title: 'Text' } } },
  outputs: [{ name: 'out.txt', mediaType: 'text/plain' }],
  pricing: { model: 'per_run', credits },
  runtime: { kind: 'code', entry: 'agent.js' },
});
