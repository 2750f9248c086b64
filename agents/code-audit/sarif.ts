import { createHash } from 'node:crypto';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { type Finding, RULES, type Rule, typescriptRule } from './findings.ts';

/** The schema URL code-scanning tools (GitHub, Azure DevOps, VS Code's SARIF viewer) recognise. */
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const ROOT_ID = 'SRCROOT';

/** A repository path as a relative URI reference: each segment percent-encoded, `/` kept. */
export function pathToUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function descriptor(rule: Rule): ReportingDescriptor {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.description },
    defaultConfiguration: { level: rule.level },
    properties: {
      tags:
        rule.category === 'secrets' || rule.category === 'dependencies'
          ? [rule.category, 'security']
          : [rule.category],
    },
  };
}

export interface SarifMeta {
  toolVersion: string;
  /** Limits hit and files left out: shown as the run's notifications. */
  notes: readonly string[];
}

/** One finding as a SARIF result; `identity` is what its fingerprint hashes. */
function result(f: Finding, ruleIndex: number, identity: string): Result {
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: f.level,
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: pathToUri(f.file), uriBaseId: ROOT_ID },
          region: { startLine: f.line, ...(f.column !== undefined ? { startColumn: f.column } : {}) },
        },
      },
    ],
    // Lets a code-scanning tool recognise the same finding in the next audit, even if lines moved.
    partialFingerprints: {
      'jetonFinding/v1': createHash('sha256').update(identity).digest('hex').slice(0, 32),
    },
  };
}

/** One SARIF 2.1.0 run: this tool, its rules, and the findings as results. */
export function toSarif(findings: readonly Finding[], meta: SarifMeta): Log {
  const rules = [...RULES];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const f of findings) {
    if (!index.has(f.ruleId)) {
      index.set(f.ruleId, rules.length);
      rules.push(typescriptRule(Number(f.ruleId.replace(/^TS/, '')), f.level));
    }
  }
  // Identical messages in one file (the same secret pasted twice) need their own fingerprints: the
  // n-th repeat, in the findings' stable order, adds its index. The first keeps the plain hash.
  const seen = new Map<string, number>();
  const results: Result[] = findings.map((f) => {
    const key = `${f.ruleId}\u0000${f.file}\u0000${f.message}`;
    const repeat = seen.get(key) ?? 0;
    seen.set(key, repeat + 1);
    return result(f, index.get(f.ruleId)!, repeat === 0 ? key : `${key}\u0000${repeat}`);
  });
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Jeton code audit',
            version: meta.toolVersion,
            rules: rules.map(descriptor),
          },
        },
        originalUriBaseIds: {
          [ROOT_ID]: { description: { text: 'The root of the uploaded repository archive.' } },
        },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: meta.notes.map((text) => ({
              level: 'note' as const,
              message: { text },
            })),
          },
        ],
        results,
      },
    ],
  };
}
