import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentInit } from './agent-init.ts';
import { agentTest } from './agent-test.ts';
import { agentValidate } from './agent-validate.ts';

const BRAND_KIT = new URL('../../../../agents/brand-kit', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  return { lines, out: (l: string) => lines.push(l) };
}

function copyOfBrandKit(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jeton-agent-'));
  dirs.push(dir);
  cpSync(BRAND_KIT, dir, { recursive: true });
  return dir;
}

describe('jeton agent init, validate and test', () => {
  it('scaffolds a code agent that validates and passes its own cases in the sandbox, and overwrites nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'jeton-init-'));
    dirs.push(root);
    const dir = join(root, 'Meeting Notes');
    const init = capture();
    expect(agentInit(dir, {}, init.out)).toBe(0);
    expect(init.lines[0]).toContain('✓ Created meeting-notes');
    expect(JSON.parse(readFileSync(join(dir, 'jeton.agent.json'), 'utf8'))).toMatchObject({
      slug: 'meeting-notes',
      runtime: { kind: 'code', entry: 'agent.js' },
    });
    const valid = capture();
    expect(agentValidate(dir, valid.out)).toBe(0);
    const tested = capture();
    expect(await agentTest(dir, tested.out)).toBe(0);
    expect(tested.lines.at(-1)).toBe('2 passed, 0 failed');

    // The scaffold's code really runs: broken, its cases fail.
    writeFileSync(join(dir, 'agent.js'), 'export default { async run() { throw new Error("not yet"); } };');
    const broken = capture();
    expect(await agentTest(dir, broken.out)).toBe(1);
    expect(broken.lines).toContain('    the run ended failed: not yet');

    const again = capture();
    expect(agentInit(dir, {}, again.out)).toBe(2);
    expect(again.lines[0]).toContain('is not empty');
    expect(readFileSync(join(dir, 'agent.js'), 'utf8')).toContain('not yet');
    const badSlug = capture();
    expect(agentInit(join(root, 'x'), { slug: 'Not A Slug' }, badSlug.out)).toBe(2);
    expect(badSlug.lines[0]).toContain('is not a valid slug');
  });

  it('validates a sound folder, and names every problem of a broken one with where it is', () => {
    const ok = capture();
    expect(agentValidate(BRAND_KIT, ok.out)).toBe(0);
    expect(ok.lines).toEqual(['✓ brand-kit 1.0.0 (builtin, per_run) is valid.']);

    const dir = copyOfBrandKit();
    const m = JSON.parse(readFileSync(join(dir, 'jeton.agent.json'), 'utf8'));
    m.runtime.entry = 'not-a-builtin';
    writeFileSync(join(dir, 'jeton.agent.json'), JSON.stringify(m));
    writeFileSync(
      join(dir, 'evals.json'),
      JSON.stringify([
        {
          name: 'x',
          files: [{ field: 'f', path: 'missing.csv', mediaType: 'text/csv' }],
          checks: [{ kind: 'succeeds' }],
        },
      ]),
    );
    const bad = capture();
    expect(agentValidate(dir, bad.out)).toBe(1);
    expect(bad.lines).toEqual([
      '✗ brand-kit 1.0.0:',
      `    $.runtime.entry: "not-a-builtin" is not one of Jeton's built-in agents (creators publish code or prompt agents)`,
      '    evals.json[0].files: missing.csv does not exist',
    ]);

    m.slug = 'No Caps';
    writeFileSync(join(dir, 'jeton.agent.json'), JSON.stringify(m));
    const broken = capture();
    expect(agentValidate(dir, broken.out)).toBe(1);
    expect(broken.lines[0]).toBe('✗ jeton.agent.json is not a valid manifest:');
    expect(broken.lines).toContain(
      '    $.slug: a slug is 1-48 characters: lowercase letters, digits and inner hyphens',
    );
  });

  it('runs the test and eval cases with the platform’s runtime, and exits 1 naming a failed check', async () => {
    const ok = capture();
    expect(await agentTest(BRAND_KIT, ok.out)).toBe(0);
    const cases = JSON.parse(readFileSync(join(BRAND_KIT, 'evals.json'), 'utf8')).length + 1;
    expect(ok.lines.filter((l) => l.startsWith('✓ '))).toHaveLength(cases);
    expect(ok.lines.at(-1)).toBe(`${cases} passed, 0 failed`);

    const dir = copyOfBrandKit();
    writeFileSync(
      join(dir, 'evals.json'),
      JSON.stringify([
        {
          name: 'wants a word the logo lacks',
          input: { company: 'Acme' },
          checks: [{ kind: 'contains', artifact: 'logo.svg', text: 'Globex' }],
        },
      ]),
    );
    const failing = capture();
    expect(await agentTest(dir, failing.out)).toBe(1);
    expect(failing.lines).toContain('    "logo.svg" does not contain "Globex"');
    expect(failing.lines.at(-1)).toBe('1 passed, 1 failed');
  });
});
