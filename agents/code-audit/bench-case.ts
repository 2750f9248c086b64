import { seededRandom } from '@jeton/core';
import { entries, FAKE, toZip } from './fixtures/sample-repos.ts';

function moduleSource(pkg: number, mod: number, rnd: () => number): string {
  const lines = [
    `import { helper${(mod + 1) % 20} } from './module-${(mod + 1) % 20}';`,
    "import { z } from 'zod';",
    '',
    `export interface Item${mod} { id: string; qty: number; tags: string[]; price?: number }`,
    '',
    `export function helper${mod}(items: Item${mod}[], mode: string): number {`,
    '  let total = 0;',
  ];
  const branches = 2 + Math.floor(rnd() * 16);
  for (let b = 0; b < branches; b++) {
    lines.push(`  if (mode === 'm${b}' && items.length > ${b}) total += items[${b}]?.qty ?? 0;`);
  }
  lines.push(
    '  for (const item of items) {',
    '    if (item.tags.includes("sale")) total -= item.price ?? 0;',
    '    else total += item.price ?? 1;',
    '  }',
    `  return total > 0 ? total : helper${(mod + 1) % 20}([], mode) * 0;`,
    '}',
    '',
    `export const schema${mod} = z.object({ id: z.string(), qty: z.number() });`,
    `export const label${mod} = (n: number): string => n > 1 ? 'many' : n === 1 ? 'one' : 'none';`,
  );
  // About one module in fifteen carries a type error, as a real, lived-in codebase does.
  if (rnd() < 0.07) lines.push(`export const broken${mod}: number = label${mod}(2);`);
  if (pkg === 3 && mod === 7) lines.push(`export const stripe = '${FAKE.stripeKey}';`);
  lines.push('');
  return lines.join('\n');
}

/** A 12-package monorepo of about 240 TypeScript modules (some 1.5 MB), zipped as GitHub would. */
export async function benchCase(): Promise<{
  input: Record<string, unknown>;
  files: { field: string; name: string; mediaType: string; bytes: Uint8Array }[];
}> {
  // Seeded: every benchmark run audits the same repository.
  const rnd = seededRandom(42);
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] }, null, 2),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
      },
    }),
    '.env.production': `AWS_ACCESS_KEY_ID=${FAKE.awsKeyId}\nAPI_TOKEN=${FAKE.githubToken}\n`,
  };
  for (let p = 0; p < 12; p++) {
    files[`packages/pkg-${p}/package.json`] = JSON.stringify(
      {
        name: `@mono/pkg-${p}`,
        version: '1.0.0',
        scripts: p % 4 === 0 ? { postinstall: 'node ./scripts/patch.js' } : { build: 'tsc' },
        dependencies: { zod: p % 3 === 0 ? '^3.23.0' : '3.23.8', lodash: p % 5 === 0 ? '*' : '4.17.21' },
      },
      null,
      2,
    );
    for (let m = 0; m < 20; m++) {
      const body = moduleSource(p, m, rnd);
      // Padding with documentation brings each module to a realistic size without changing its logic.
      files[`packages/pkg-${p}/src/module-${m}.ts`] =
        `${'/** Domain notes: keep totals in cents. */\n'.repeat(120)}${body}`;
    }
    files[`packages/pkg-${p}/README.md`] = `# pkg-${p}\n\n${'Documentation line.\n'.repeat(200)}`;
  }
  return {
    input: { minSeverity: 'note' },
    files: [
      {
        field: 'archive',
        name: 'mono-main.zip',
        mediaType: 'application/zip',
        bytes: toZip(entries(files, 'mono-main')),
      },
    ],
  };
}
