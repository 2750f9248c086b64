import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentDefinition, type ModelAccess, type ModelRequest, testAgent } from '@jeton/runtime/sdk';
import { Ajv } from 'ajv';
import { strToU8, zipSync } from 'fflate';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { readEvalCases, runEvalCase } from '../evals.ts';
import agent from './agent.ts';
import { entries, FAKE, leakyService, tidyLibrary, toTarGz, toZip } from './fixtures/sample-repos.ts';

const dir = import.meta.dirname;

/** The official SARIF 2.1.0 schema (see README: where the copy comes from), with its formats checked. */
const validateSarif = (() => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat(
    'uri-reference',
    (s: string) => /^[^\s<>"{}|\\^`]*$/.test(s) && URL.canParse(s, 'file:///base/'),
  );
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)));
  return ajv.compile(JSON.parse(readFileSync(join(dir, 'fixtures/sarif-schema-2.1.0.json'), 'utf8')));
})();

function run(bytes: Uint8Array, name: string, input: Record<string, unknown> = {}, models?: ModelAccess) {
  const mediaType = name.endsWith('.zip') ? 'application/zip' : 'application/gzip';
  return testAgent(agent, {
    input,
    files: [{ field: 'archive', name, mediaType, bytes }],
    ...(models ? { models } : {}),
  });
}

function sarifOf(result: Awaited<ReturnType<typeof run>>): Log {
  const text = result.artifacts.get('findings.sarif')?.text();
  expect(text, 'findings.sarif').toBeDefined();
  const log = JSON.parse(text!) as Log;
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? [], 'SARIF schema errors').toEqual([]);
  expect(valid).toBe(true);
  return log;
}

/** `ruleId file:line` of every result: what a reader would act on. */
function located(log: Log): string[] {
  return log.runs[0]!.results!.map((r) => {
    const loc = r.locations![0]!.physicalLocation!;
    return `${r.ruleId} ${loc.artifactLocation!.uri}:${loc.region!.startLine}`;
  });
}

function fakeModel(
  answer: { summary: string; suggestions: { title: string; fix: string }[] },
  seen: ModelRequest[],
): ModelAccess {
  return {
    unavailable: null,
    generate: async (req) => {
      seen.push(req);
      return {
        text: JSON.stringify(answer),
        object: answer,
        model: 'test/fake',
        usage: { inputTokens: 1, outputTokens: 1 },
        costMicroCredits: 0n,
      };
    },
  };
}

describe('code-audit on a leaky service', () => {
  it('finds the secrets, risky dependencies, the type error and the hot spot, in a valid SARIF file', async () => {
    const result = await run(toZip(entries(leakyService(), 'leaky-service-main')), 'leaky-service-main.zip');
    expect(result.failure).toBeNull();
    expect(result.status).toBe('succeeded');
    const log = sarifOf(result);
    const found = located(log);
    expect(found).toEqual(
      expect.arrayContaining([
        'secret/aws-access-key-id .env:3',
        'secret/aws-secret-access-key .env:4',
        'secret/generic-assignment .env:5',
        'secret/private-key deploy/id_ed25519:1',
        'secret/stripe-key src/config.ts:3',
        'secret/github-token src/config.ts:4',
        'deps/install-script package.json:8',
        'deps/unpinned-range package.json:12',
        'deps/any-version package.json:13',
        'deps/git-dependency package.json:14',
        'deps/url-dependency package.json:15',
        'deps/url-dependency package.json:16',
        'deps/any-version package.json:21',
        'deps/no-lockfile package.json:1',
        'TS2322 src/config.ts:5',
        'complexity/cyclomatic src/pricing.ts:3',
      ]),
    );
    // The hint is not a secret; node_modules is never read; bare imports of packages are not "errors".
    expect(found.filter((f) => f.startsWith('secret/'))).toHaveLength(6);
    expect(found.some((f) => f.includes('node_modules'))).toBe(false);
    expect(found.some((f) => f.startsWith('TS2307'))).toBe(false);

    const run0 = log.runs[0]!;
    const ids = run0.tool.driver.rules!.map((r) => r.id);
    for (const r of run0.results!) expect(ids[r.ruleIndex!]).toBe(r.ruleId);
    expect(run0.invocations![0]!.toolExecutionNotifications!.map((n) => n.message.text)).toEqual([
      '1 archive entry skipped: ignored folder (`node_modules`, `.git`, `__MACOSX`).',
    ]);
    const ts = run0.results!.find((r) => r.ruleId === 'TS2322')!;
    expect(ts.level).toBe('error');
    expect(ts.locations![0]!.physicalLocation!.region).toEqual({ startLine: 5, startColumn: 14 });
    expect(
      run0.results!.find((r) => r.ruleId === 'deps/url-dependency' && r.message.text!.includes('http:'))!
        .level,
    ).toBe('error');

    const report = result.artifacts.get('report.md')!;
    expect(report.mediaType).toBe('text/markdown');
    const text = report.text();
    expect(text).toContain('top folder `leaky-service-main/` removed from paths');
    expect(text).toContain('| 19 | `priceFor` | `src/pricing.ts:3` |');
    expect(text).toContain('1 archive entry skipped: ignored folder (`node_modules`, `.git`, `__MACOSX`).');
    expect(text).toMatch(/3 diagnostic\(s\) only about packages or type definitions/);
    expect(text).not.toContain('## Summary');
  });

  it('never writes a secret in full, in either output', async () => {
    const result = await run(toZip(entries(leakyService())), 'repo.zip');
    const outputs = [...result.artifacts.values()].map((a) => a.text()).join('\n');
    for (const secret of Object.values(FAKE)) {
      const body = secret.startsWith('-----') ? 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ' : secret;
      expect(outputs).not.toContain(body);
      expect(outputs).not.toContain(body.slice(4, 16));
    }
    expect(outputs).toContain('`AKIA… (20 chars)`');
  });

  it('reads the tar.gz of the same repository to the same findings', async () => {
    const zip = sarifOf(await run(toZip(entries(leakyService(), 'a-main')), 'a.zip'));
    const tgz = sarifOf(await run(await toTarGz(entries(leakyService(), 'a-1.0.0')), 'a.tar.gz'));
    expect(located(tgz)).toEqual(located(zip));
    expect(located(tgz).length).toBeGreaterThan(15);
  });

  it('respects minSeverity in both outputs', async () => {
    const result = await run(await toTarGz(entries(leakyService())), 'repo.tgz', { minSeverity: 'error' });
    const log = sarifOf(result);
    const levels = new Set(log.runs[0]!.results!.map((r) => r.level));
    expect([...levels]).toEqual(['error']);
    expect(located(log)).toContain('TS2322 src/config.ts:5');
    expect(located(log).some((f) => f.startsWith('complexity/'))).toBe(false);
    const text = result.artifacts.get('report.md')!.text();
    expect(text).toContain('**Findings shown:** errors only — 7 of 17');
    expect(text).toContain('1 above a cyclomatic complexity of 10.\n\nNone at the chosen severity.');
    expect(text).not.toContain('🟠');
  });

  it('reports nothing on a tidy library, and still writes a valid SARIF file', async () => {
    const result = await run(await toTarGz(entries(tidyLibrary(), 'package')), 'tidy-lib-2.1.0.tgz');
    expect(result.status).toBe('succeeded');
    expect(sarifOf(result).runs[0]!.results).toEqual([]);
    const text = result.artifacts.get('report.md')!.text();
    expect(text).toContain('No secrets found.');
    expect(text).toContain('No risky dependency patterns found.');
    expect(text).toContain('Compiled 2 file(s).');
    expect(text).toContain('The compiler reported nothing.');
  });
});

describe('code-audit refuses what it cannot read', () => {
  const failsWith = async (bytes: Uint8Array, name: string, message: RegExp) => {
    const result = await run(bytes, name);
    expect(result.status).toBe('failed');
    expect(result.failure?.code).toBe('input_invalid');
    expect(result.failure?.message).toMatch(message);
    expect(result.artifacts.size).toBe(0);
  };

  it('a file that is no archive', () =>
    failsWith(strToU8('just some text, not an archive'), 'notes.zip', /not a \.zip or \.tar\.gz/));

  it('a truncated zip', async () => {
    const zip = toZip(entries(leakyService()));
    await failsWith(zip.subarray(0, zip.length - 30), 'cut.zip', /zip archive is damaged/);
  });

  it('a gzip that holds no tarball', async () => {
    const { gzipSync } = await import('node:zlib');
    await failsWith(
      new Uint8Array(gzipSync(Buffer.from('hello '.repeat(400)))),
      'x.tar.gz',
      /tar archive is damaged|gzip/,
    );
  });

  it('an empty zip, and one with only node_modules', async () => {
    await failsWith(zipSync({}), 'empty.zip', /no text file to audit/);
    await failsWith(
      toZip(entries({ 'node_modules/x/index.js': 'module.exports = 1;' })),
      'deps.zip',
      /no text file to audit/,
    );
  });
});

describe('code-audit with a model', () => {
  const answer = {
    summary: 'Revoke the AWS and GitHub credentials first, then pin the dependencies.',
    suggestions: [
      { title: 'Move secrets out of the repository', fix: 'Load them from the environment and rotate them.' },
    ],
  };

  it('adds a summary and fix suggestions, and never sends a secret to the model', async () => {
    const seen: ModelRequest[] = [];
    const result = await run(toZip(entries(leakyService())), 'repo.zip', {}, fakeModel(answer, seen));
    expect(result.status).toBe('succeeded');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.schema).toBeDefined();
    expect(seen[0]!.prompt).toContain('secret/aws-access-key-id .env:3');
    for (const secret of Object.values(FAKE)) expect(seen[0]!.prompt).not.toContain(secret);
    const text = result.artifacts.get('report.md')!.text();
    expect(text).toContain('## Summary');
    expect(text).toContain('Written by a model (test/fake)');
    expect(text).toContain(answer.summary);
    expect(text).toContain(
      '- **Move secrets out of the repository** — Load them from the environment and rotate them.',
    );
    // The offline findings are all still there.
    expect(located(sarifOf(result)).length).toBeGreaterThan(15);
  });

  it('keeps the offline report when the model fails', async () => {
    const broken: ModelAccess = {
      unavailable: null,
      generate: () => Promise.reject(new Error('provider down')),
    };
    const result = await run(toZip(entries(leakyService())), 'repo.zip', {}, broken);
    expect(result.status).toBe('succeeded');
    expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('provider down'))).toBe(true);
    const text = result.artifacts.get('report.md')!.text();
    expect(text).not.toContain('## Summary');
    expect(text).toContain('## Secrets');
    expect(located(sarifOf(result))).toContain('TS2322 src/config.ts:5');
  });

  it('does not ask the model about a repository with nothing to report', async () => {
    const seen: ModelRequest[] = [];
    const result = await run(await toTarGz(entries(tidyLibrary())), 'tidy.tgz', {}, fakeModel(answer, seen));
    expect(result.status).toBe('succeeded');
    expect(seen).toHaveLength(0);
  });
});

describe('code-audit when cancelled', () => {
  it('stops without writing artifacts', async () => {
    const controller = new AbortController();
    const models: ModelAccess = {
      unavailable: null,
      generate: async (_req, signal) => {
        controller.abort();
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        throw new Error('aborted');
      },
    };
    const bytes = toZip(entries(leakyService()));
    const result = await testAgent(agent, {
      files: [{ field: 'archive', name: 'repo.zip', mediaType: 'application/zip', bytes }],
      models,
      signal: controller.signal,
    });
    expect(result.status).toBe('cancelled');
    expect(result.failure?.code).toBe('cancelled_by_buyer');
    expect(result.artifacts.size).toBe(0);
    // The model call cut short by the cancellation is not logged as a model failure.
    expect(result.logs.some((l) => l.message.includes('could not write the summary'))).toBe(false);
  });
});

describe('code-audit evals', () => {
  it('passes every case in evals.json', async () => {
    const cases = readEvalCases(dir);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const c of cases) {
      const outcome = await runEvalCase(agent as AgentDefinition<never>, dir, c);
      expect(outcome.failures, c.name).toEqual([]);
    }
  });
});
