import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SLUG } from '@jeton/core';

function manifest(slug: string) {
  return {
    $schema: 'https://jeton.dev/schemas/agent-manifest.json',
    manifestVersion: 1,
    slug,
    name: slug
      .split('-')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(' '),
    summary: 'Turns a short text into a tidy Markdown note. Replace this with what your agent does.',
    description: 'Say what the agent does, for whom, what it needs and what it gives back.',
    category: 'writing',
    tags: ['example'],
    version: '0.1.0',
    input: {
      type: 'object',
      required: ['text'],
      properties: {
        text: { type: 'string', editor: 'textarea', title: 'Text', maxLength: 10000 },
        title: { type: 'string', title: 'Title', default: 'Note', maxLength: 100 },
      },
    },
    outputs: [{ name: 'note.md', mediaType: 'text/markdown', description: 'The note.' }],
    pricing: { model: 'per_run', credits: 5 },
    limits: { timeoutSeconds: 30, memoryMb: 64, retrySafe: true },
    runtime: { kind: 'code', entry: 'agent.js', allowedHosts: [] },
    tests: [
      {
        name: 'writes a note',
        input: { text: 'Buy milk. Call Ada.' },
        checks: [{ kind: 'succeeds' }, { kind: 'contains', artifact: 'note.md', text: '- Call Ada.' }],
      },
    ],
    changelog: [{ version: '0.1.0', changes: 'First version.' }],
  };
}

const CODE = `// A Jeton code agent: one ES module with no imports, run in the platform's sandbox.
// Build it from TypeScript or several files with any bundler, e.g.
//   esbuild src/agent.ts --bundle --format=esm --platform=neutral --outfile=agent.js
// \`ctx\`: progress, log, artifact, charge, ask, model, files, secrets, signal, fetch (allowed hosts only).

export default {
  async run(ctx, input) {
    ctx.progress(10, 'Reading the text');
    const sentences = input.text
      .split(/(?<=[.!?])\\s+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (sentences.length === 0) throw new Error('The text has no sentences.');
    const note = [\`# \${input.title}\`, '', ...sentences.map((s) => \`- \${s}\`), ''].join('\\n');
    await ctx.artifact('note.md', note, 'text/markdown');
    ctx.progress(100, \`\${sentences.length} points\`);
  },
};
`;

const EVALS = [
  {
    name: 'several sentences become a list under the title',
    input: { text: 'First point. Second point! A question?', title: 'Meeting' },
    checks: [
      { kind: 'succeeds' },
      { kind: 'contains', artifact: 'note.md', text: '# Meeting' },
      {
        kind: 'matches',
        artifact: 'note.md',
        pattern: '- First point\\.\\n- Second point!\\n- A question\\?',
      },
    ],
  },
];

/**
 * `jeton agent init <dir>`: scaffolds a code agent that passes `jeton agent validate` and
 * `jeton agent test` as it is: the manifest (with a test case), the code, an eval case, a README.
 * Refuses a folder that already has files, so nothing is overwritten.
 */
export function agentInit(
  dir: string,
  options: { slug?: string | undefined },
  out: (line: string) => void = console.log,
): number {
  const target = resolve(dir);
  const slug =
    options.slug ??
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
  if (!SLUG.test(slug)) {
    out(`✗ "${slug}" is not a valid slug (1-48 lowercase letters, digits and inner hyphens): pass --slug.`);
    return 2;
  }
  if (existsSync(target) && readdirSync(target).length > 0) {
    out(`✗ ${target} is not empty: choose a new folder.`);
    return 2;
  }
  mkdirSync(target, { recursive: true });
  const files: [string, string][] = [
    ['jeton.agent.json', `${JSON.stringify(manifest(slug), null, 2)}\n`],
    ['agent.js', CODE],
    ['evals.json', `${JSON.stringify(EVALS, null, 2)}\n`],
    [
      'README.md',
      `# ${slug}\n\nA Jeton code agent.\n\n- \`jeton agent validate\` checks the manifest, the code and the eval cases.\n- \`jeton agent test\` runs the manifest's tests and \`evals.json\` in the same sandbox as the platform.\n`,
    ],
  ];
  for (const [name, text] of files) writeFileSync(join(target, name), text);
  out(`✓ Created ${slug} in ${target}: ${files.map(([n]) => n).join(', ')}`);
  out(`  Next: jeton agent test ${dir}`);
  return 0;
}
