import ts from 'typescript-api';
import { describe, expect, it } from 'vitest';
import type { RepoFile } from './collector.ts';
import { functionsOf, scanComplexity } from './complexity.ts';
import { classifySpec, lineAt, lineStarts, scanManifests } from './dependencies.ts';
import { typeCheck } from './diagnostics.ts';
import { entropyThreshold, redact, redactText, scanSecrets, shannonEntropy } from './secrets.ts';

const file = (path: string, text: string): RepoFile => ({ path, text, bytes: text.length });
const live = new AbortController().signal;

describe('secrets', () => {
  const slack = `xoxb-${'1234567890'}-${'0987654321'}-${'aBcDeFgHiJkLmNoPqRsTuVwX'}`;
  const gitlab = `glpat-${'x7Yq2LmN9pR4sT6vW8zK'}`;
  const google = `AIza${'SyD4x9Qm2Lk7Pz3Rt8Vw1Nb6Cj5Hg0Fe2Ua'}`;

  it('finds each provider format with its rule, line and column', async () => {
    const { findings } = await scanSecrets(
      [
        file(
          'src/notify.js',
          `// bot\nconst slack = '${slack}';\nconst gl = "${gitlab}"; const g = '${google}';\n`,
        ),
      ],
      live,
    );
    expect(findings.map((f) => `${f.ruleId}@${f.line}:${f.column}`)).toEqual([
      'secret/slack-token@2:16',
      'secret/gitlab-token@3:13',
      'secret/google-api-key@3:53',
    ]);
    for (const f of findings)
      expect(f.message).not.toContain(f.ruleId === 'secret/slack-token' ? slack : gitlab);
  });

  it('flags random-looking literals under secret-sounding names, not placeholders or references', async () => {
    const { findings } = await scanSecrets(
      [
        file(
          'src/db.ts',
          [
            "const password = 'changeme-please-now';",
            'const token = process.env.API_TOKEN;',
            "const apiKey = 'your-api-key-here';",
            "const secretName = 'Xq9#mK2$vL8pR4tZ';",
            "const clientSecret = 'Xq9#mK2$vL8pR4tZ';",
            "const tokenType = 'bearer';",
          ].join('\n'),
        ),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a YAML file's own placeholder, not a template.
        file('config/app.yaml', 'db:\n  password: ${DB_PASSWORD}\n  api_key: 9f8e7d6c5b4a3f2e1d0c\n'),
        file(
          'package-lock.json',
          '{"integrity": "sha512-abcdefghijklmnopqrstuvwxyz0123456789ABCD", "token": "Xq9mK2vL8pR4tZ1234"}',
        ),
      ],
      live,
    );
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/db.ts:5', 'config/app.yaml:3']);
    expect(findings[0]!.message).toContain('`clientSecret`');
    expect(findings[0]!.message).toContain('`Xq9#… (16 chars)`');
  });

  it('redacts secrets inside any text, and measures entropy', () => {
    const key = `AKIA${'ZQ4T7XK2MBN5PLRW'}`;
    expect(redactText(`Type '"${key}"' is not assignable to type 'number'.`)).toBe(
      `Type '"AKIA… (20 chars)"' is not assignable to type 'number'.`,
    );
    expect(redact('short-pw1')).toBe('sh… (9 chars)');
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
    expect(shannonEntropy('abcdefgh')).toBe(3);
  });

  it('stays linear on a long line of keywords and bounds what it reports', async () => {
    const junk = 'token='.repeat(200_000 / 6);
    const glued = 'token'.repeat(200_000 / 5);
    const scan = await scanSecrets(
      [file('a.env', junk), file('b.ts', junk), file('c.ts', `${glued}='Xq9#mK2$vL8pR4tZ'`)],
      live,
    );
    // The glued name is one name (its first 100 characters before the last keyword), one finding.
    expect(scan.findings.map((f) => `${f.file}:${f.ruleId}`)).toEqual(['c.ts:secret/generic-assignment']);
    const many = "const token = 'Xq9#mK2$vL8pR4tZ'; ".repeat(6000);
    const capped = await scanSecrets([file('d.ts', many)], live);
    expect(capped.findings).toHaveLength(50);
    expect(capped.omitted).toBe(5950);
  });

  it('checks the abort signal inside a long file', async () => {
    const controller = new AbortController();
    controller.abort();
    const text = 'const a = 1;\n'.repeat(20_000);
    await expect(scanSecrets([file('big.ts', text)], controller.signal)).rejects.toThrow(
      'The run has stopped.',
    );
  });

  it('finds npm, OpenAI and Anthropic keys, .npmrc/.pypirc/.netrc credentials and URL passwords', async () => {
    const npm = `npm_${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}`;
    const openai = `sk-proj-${'Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6'}`;
    const anthropic = `sk-ant-api03-${'Zx9Cv8Bn7Mq6Wr5Ty4Ui3Op2As1Df0Gh-Jk_Lp'}`;
    const { findings } = await scanSecrets(
      [
        file('.npmrc', `//registry.npmjs.org/:_authToken=${npm}\n`),
        file('sub/.npmrc', '//npm.corp.io/:_authToken=Qm7xR2pL9vT4kW8z\n'),
        file('.pypirc', '[pypi]\nusername = __token__\npassword = pypi-Ag9xQm2Lk7Pz3Rt8Vw1N\n'),
        file('.netrc', 'machine api.corp.io login bot password Hx7!qP2zLm9Vt4Rw\n'),
        file('.env', `OPENAI_KEY=${openai}\nANTHROPIC_KEY=${anthropic}\nSERVICE_KEY=Vb8nQ2xL7mKp4Rz9\n`),
        file(
          'src/db.ts',
          [
            "const a = 'postgres://admin:pw@db.internal:5432/app';",
            "const b = 'mongodb+srv://root:S3cr3tPass@cluster0.abcde.mongodb.net/test';",
            "const c = 'postgres://user:password@localhost/app';",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder in the URL.
            "const d = 'postgres://user:${DB_PASSWORD}@localhost/app';",
            "const e = 'https://example.com:8080/path';",
          ].join('\n'),
        ),
      ],
      live,
    );
    expect(findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.level}`)).toEqual([
      'secret/npm-token .npmrc:1:error',
      'secret/generic-assignment sub/.npmrc:1:warning',
      'secret/generic-assignment .pypirc:3:warning',
      'secret/generic-assignment .netrc:1:warning',
      'secret/openai-key .env:1:error',
      'secret/anthropic-key .env:2:error',
      'secret/generic-assignment .env:3:warning',
      'secret/url-credentials src/db.ts:1:error',
      'secret/url-credentials src/db.ts:2:error',
    ]);
    expect(findings[7]!.column).toBe(29);
    for (const f of findings)
      for (const s of [npm, openai, anthropic, 'S3cr3tPass']) expect(f.message).not.toContain(s);
    expect(redactText('postgres://root:S3cr3tPass@h')).toBe('postgres://root:S3… (10 chars)@h');
  });

  it("ignores AWS's documented example keys, and lowers generic hits in examples and tests to notes", async () => {
    const { findings } = await scanSecrets(
      [
        file(
          'docs/setup.md',
          'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
        ),
        file('.env.example', 'API_TOKEN=Xq9mK2vL8pR4tZ71\n'),
        file('config/app.yaml.sample', 'secret: Xq9mK2vL8pR4tZ71\n'),
        file('test/login.test.ts', "const password = 'Xq9#mK2$vL8pR4tZ';"),
        file('src/__tests__/a.ts', "const password = 'Xq9#mK2$vL8pR4tZ';"),
        file('fixtures/user.ts', "const password = 'Xq9#mK2$vL8pR4tZ';"),
        file('src/login.ts', "const password = 'Xq9#mK2$vL8pR4tZ';"),
      ],
      live,
    );
    expect(findings.map((f) => `${f.file}:${f.level}`)).toEqual([
      '.env.example:note',
      'config/app.yaml.sample:note',
      'test/login.test.ts:note',
      'src/__tests__/a.ts:note',
      'fixtures/user.ts:note',
      'src/login.ts:warning',
    ]);
  });

  it('does not take identifiers for secrets: the entropy bar grows with the length', async () => {
    const { findings } = await scanSecrets(
      [
        file(
          'src/keys.ts',
          [
            "const tokenName = 'auth_token_v2';",
            "const token = 'auth_token_v2';",
            "const shortcutKey = 'keyboard-shortcut-1';",
            "const api_key = 'Kb7-Xz2_Qm9';",
          ].join('\n'),
        ),
      ],
      live,
    );
    expect(findings.map((f) => f.line)).toEqual([4]);
    expect(entropyThreshold(10)).toBeCloseTo(3.02, 2);
    expect(entropyThreshold(13)).toBeGreaterThan(shannonEntropy('auth_token_v2'));
    expect(entropyThreshold(64)).toBe(3.6);
  });

  it('caps the findings of one file', async () => {
    const key = (i: number) => `AKIA${String(i).padStart(16, 'Q')}`;
    const text = Array.from({ length: 80 }, (_, i) => `k${i} = ${key(i)}`).join('\n');
    const scan = await scanSecrets([file('dump.txt', text)], live);
    expect(scan.findings).toHaveLength(50);
    expect(scan.omitted).toBe(30);
  });
});

describe('dependencies', () => {
  it.each([
    ['1.2.3', 'exact'],
    ['=v1.2.3-beta.1', 'exact'],
    ['^1.2.3', 'range'],
    ['~1.2.3', 'range'],
    ['1.x', 'range'],
    ['>=1.0.0 <2.0.0', 'range'],
    ['1.0.0 - 2.0.0', 'range'],
    ['*', 'any'],
    ['', 'any'],
    ['latest', 'any'],
    ['next', 'any'],
    ['>=2', 'any'],
    ['npm:other@^2.0.0', 'range'],
    ['npm:other@2.0.0', 'exact'],
    ['git+https://github.com/a/b.git', 'git'],
    ['git@github.com:a/b.git', 'git'],
    ['github:a/b#main', 'git'],
    ['a/b', 'git'],
    ['https://example.com/b.tgz', 'url'],
    ['https://github.com/a/b.git', 'git'],
    ['file:../b', 'file'],
    ['./b', 'file'],
    ['link:../b', 'file'],
    ['workspace:*', 'local-workspace'],
  ])('%s is %s', (spec, kind) => {
    expect(classifySpec(spec).kind).toBe(kind);
  });

  it('sees git commits, plain http, lockfiles of parent folders, and broken manifests', async () => {
    expect(classifySpec(`github:a/b#${'a'.repeat(40)}`)).toEqual({ kind: 'git', pinned: true });
    expect(classifySpec('http://x.org/b.tgz')).toEqual({ kind: 'url', insecure: true });
    const pkg = (deps: object) => JSON.stringify({ name: 'x', dependencies: deps }, null, 2);
    const files = [
      file('package.json', pkg({ a: '1.0.0' })),
      file('packages/web/package.json', pkg({ b: '^1.0.0', c: 'file:../c' })),
      file('tools/package.json', pkg({ d: '2.0.0' })),
      file('broken/package.json', '{ "name": '),
    ];
    const findings = await scanManifests(
      files,
      new Set(['package-lock.json', ...files.map((f) => f.path)]),
      live,
    );
    expect(findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([
      'deps/unpinned-range packages/web/package.json:4',
      'deps/file-dependency packages/web/package.json:5',
      'deps/invalid-manifest broken/package.json:1',
    ]);
  });
});

describe('dependencies at scale', () => {
  it('gives the right lines for the first and last of 2,000 dependencies, in one pass', async () => {
    const deps = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`pkg-${i}`, `^${i}.0.0`]));
    // 40,000 lines above the dependencies: re-splitting the text per dependency took seconds here.
    const files = Array.from({ length: 40_000 }, (_, i) => `dist/chunk-${i}.js`);
    const text = JSON.stringify({ name: 'big', files, dependencies: deps }, null, 2);
    const findings = await scanManifests(
      [file('package.json', text)],
      new Set(['package.json', 'package-lock.json']),
      live,
    );
    expect(findings).toHaveLength(2000);
    // Line 1 `{`, 2 name, 3 to 40,004 files, 40,005 `"dependencies": {`, then one dependency a line.
    expect(findings[0]!.line).toBe(40_006);
    expect(findings[0]!.message).toContain('`pkg-0`');
    expect(findings[1999]!.line).toBe(42_005);
    expect(findings[1999]!.message).toContain('`pkg-1999`');
  });

  it('maps offsets to lines with one table of line starts', () => {
    const starts = lineStarts('a\nbc\n\nd');
    expect(starts).toEqual([0, 2, 5, 6]);
    expect([0, 1, 2, 4, 5, 6, 99].map((o) => lineAt(starts, o))).toEqual([1, 1, 2, 2, 3, 4, 4]);
  });

  it('finds a dependency that also appears in an earlier section, and one out of text order', async () => {
    const text = [
      '{',
      '  "dependencies": { "a": "^1.0.0",',
      '    "b": "^2.0.0" },',
      '  "devDependencies": {',
      '    "b": "^2.0.0",',
      '    "2": "^3.0.0"',
      '  }',
      '}',
    ].join('\n');
    const findings = await scanManifests([file('package.json', text)], new Set(['package-lock.json']), live);
    expect(findings.map((f) => f.line)).toEqual([2, 3, 6, 5]);
  });

  it('stops between manifests when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      scanManifests([file('package.json', '{"dependencies": {"a": "*"}}')], new Set(), controller.signal),
    ).rejects.toThrow('The run has stopped.');
  });
});

describe('complexity', () => {
  const ast = (text: string) => ts.createSourceFile('/repo/x.ts', text, ts.ScriptTarget.ES2022, true);

  it('counts decisions per function, nested functions on their own, with readable names', () => {
    const source = [
      'class Cart {',
      '  total(items: number[], vip = false) {',
      '    let t = 0;',
      '    for (const i of items) t += i > 100 ? i * 0.9 : i;',
      '    const fee = (x: number) => (x > 0 && vip ? 0 : 5);',
      '    return t + fee(t) || 0;',
      '  }',
      '}',
      'export const pick = function (a?: string) { return a ?? "none"; };',
      'items.forEach((i) => { if (i) log(i); });',
      'const sign = (n: number) => n > 0 ? 1 : n < 0 ? -1 : 0;',
    ].join('\n');
    const found = functionsOf(ast(source), 'x.ts').map((f) => `${f.name}@${f.line}=${f.complexity}`);
    expect(found).toEqual([
      'Cart.total@2=5',
      'fee@5=3',
      'pick@9=2',
      '<callback of items.forEach>@10=2',
      'sign@11=3',
    ]);
  });

  it('reports only functions above the threshold, most complex first', () => {
    const branches = (n: number) =>
      Array.from({ length: n }, (_, i) => `  if (x === ${i}) return ${i};`).join('\n');
    const source = `function a(x: number) {\n${branches(12)}\n  return -1;\n}\nfunction b(x: number) {\n${branches(25)}\n  return -1;\n}\nfunction c(x: number) {\n${branches(3)}\n  return 0;\n}\n`;
    const scan = scanComplexity([{ path: 'x.ts', ast: ast(source) }]);
    expect(scan.functions).toBe(3);
    expect(scan.hotSpots.map((h) => `${h.name}=${h.complexity}`)).toEqual(['b=26', 'a=13']);
    expect(scan.findings.map((f) => f.level)).toEqual(['warning', 'note']);
  });
});

describe('TypeScript diagnostics', () => {
  it('reports a missing relative module, not a missing package; checks JS only when asked', async () => {
    const check = await typeCheck(
      [
        file(
          'src/a.ts',
          "import x from 'left-pad';\nimport { y } from './missing';\nexport const z: string = x + y;\n",
        ),
        file('src/b.js', '// @ts-check\nconst n = 1;\nn.toUpperCase();\n'),
        file('src/c.js', 'const m = 1;\nm.toUpperCase();\n'),
        file('src/d.ts', 'export function broken( {\n'),
        file('dist/bundle.js', 'const q = 1; q.nope();\n'),
      ],
      live,
    );
    expect(check.compiled).toBe(4);
    expect(check.skippedFiles).toBe(1);
    expect(check.suppressed).toBe(1);
    expect(check.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`)).toEqual([
      'TS2307 src/a.ts:2:19',
      'TS2339 src/b.js:3:3',
      'TS1005 src/d.ts:2:1',
    ]);
  });

  it('uses the project tsconfig and notes what it cannot honour', async () => {
    const strictOff = JSON.stringify({
      extends: '@tsconfig/node20',
      compilerOptions: { strict: false, lib: ['ES2023'] },
    });
    const code = 'export function f(a) { return a; }\n';
    const loose = await typeCheck([file('tsconfig.json', strictOff), file('f.ts', code)], live);
    expect(loose.findings).toEqual([]);
    expect(loose.notes.join(' ')).toContain('`extends` another file');
    const strict = await typeCheck([file('f.ts', code)], live);
    expect(strict.findings.map((f) => f.ruleId)).toEqual(['TS7006']);
  });

  it('stops between files when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(typeCheck([file('a.ts', 'export const a = 1;\n')], controller.signal)).rejects.toThrow(
      'The run has stopped.',
    );
  });
});
