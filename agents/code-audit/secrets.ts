import type { RepoFile } from './collector.ts';
import type { Finding, Level } from './findings.ts';
import { breathe, stopIfAborted } from './stop.ts';

/**
 * Patterns of credentials whose shape alone gives them away. Each is linear (no nested quantifiers),
 * since a repository line can be megabytes of minified code; group 1 is the secret itself.
 */
interface SecretPattern {
  ruleId: string;
  kind: string;
  regex: RegExp;
  level: (secret: string) => Level;
}

const error = () => 'error' as const;
const PATTERNS: readonly SecretPattern[] = [
  {
    ruleId: 'secret/aws-access-key-id',
    kind: 'AWS access key id',
    regex: /\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b/g,
    level: error,
  },
  {
    ruleId: 'secret/aws-secret-access-key',
    kind: 'AWS secret access key',
    regex: /aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    level: error,
  },
  {
    ruleId: 'secret/github-token',
    kind: 'GitHub token',
    regex: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b/g,
    level: error,
  },
  {
    ruleId: 'secret/gitlab-token',
    kind: 'GitLab token',
    regex: /\b((?:glpat|gldt|glrt|glptt|glcbt|glft|glsoat)-[A-Za-z0-9_-]{20,64})/g,
    level: error,
  },
  {
    ruleId: 'secret/slack-token',
    kind: 'Slack token',
    regex: /\b(xox[abposr]-[A-Za-z0-9-]{10,250}|xapp-\d-[A-Za-z0-9-]{10,250})/g,
    level: error,
  },
  {
    ruleId: 'secret/slack-token',
    kind: 'Slack webhook URL',
    regex: /(https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/_-]{20,200})/g,
    level: error,
  },
  {
    ruleId: 'secret/stripe-key',
    kind: 'Stripe key',
    regex: /\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247})\b/g,
    // A test-mode key cannot move money, but it still opens the account's test data and settings.
    level: (secret) => (secret.includes('_live_') ? 'error' : 'warning'),
  },
  {
    ruleId: 'secret/google-api-key',
    kind: 'Google API key',
    regex: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g,
    level: error,
  },
  {
    ruleId: 'secret/private-key',
    kind: 'Private key',
    regex:
      /(-----BEGIN (?:RSA |DSA |EC |OPENSSH |PGP |ENCRYPTED |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----)/g,
    level: error,
  },
];

const KEYWORD =
  /(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|credential)/gi;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
/** After the keyword: the rest of the name, an assignment, and a value (quoted, or bare in config files). */
const ASSIGNMENT =
  /^[A-Za-z0-9_.-]*["']?\s*(?::=|=>|:|=)\s*(?:(["'`])([^"'`\s]{8,200})\1|([^\s"'`#;,]{8,200}))/;
/** Names that hold something about a credential, not the credential. */
const NOT_A_SECRET_NAME =
  /(?:url|uri|path|file|name|type|length|field|label|placeholder|hint|pattern|regex|header|endpoint|policy|id|expires?|ttl|count|prefix)$/i;
const PLACEHOLDER =
  /example|sample|changeme|change_me|placeholder|your[_-]|dummy|redacted|\*{3}|x{5}|\.\.\.|^<.*>$|\$\{|\{\{|%\(|^\$[A-Z_]|process\.env|os\.environ|getenv/i;
const CONFIG_FILE =
  /(?:^|\/)(?:\.env(?:\.[\w-]+)?|[^/]+\.(?:env|ini|cfg|conf|properties|toml|ya?ml)|Dockerfile)$/i;
const LOCKFILE = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock)$/;

/** Bits of information per character: what tells a random key from a word. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Enough of a secret to find it again, never enough to use it. */
export function redact(secret: string): string {
  const shown = secret.startsWith('-----') ? 0 : secret.length >= 16 ? 4 : 2;
  return `${secret.slice(0, shown)}… (${secret.length} chars)`;
}

/** Any text we did not write (a compiler message can quote a string literal) with its secrets masked. */
export function redactText(text: string): string {
  let out = text;
  for (const p of PATTERNS)
    out = out.replace(p.regex, (whole, secret: string) => whole.replace(secret, redact(secret)));
  return out;
}

function looksRandom(value: string): boolean {
  if (value.length < 10 || PLACEHOLDER.test(value)) return false;
  if (/^[a-z]+(?:[_.-][a-z]+)*$/i.test(value) || /^\d+$/.test(value) || value.includes('://')) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
  return classes >= 2 && shannonEntropy(value) >= 3.2;
}

function genericOnLine(
  line: string,
  bareAllowed: boolean,
): { name: string; value: string; column: number }[] {
  const hits: { name: string; value: string; column: number }[] = [];
  for (const m of line.matchAll(KEYWORD)) {
    let start = m.index;
    while (start > 0 && NAME_CHAR.test(line[start - 1]!)) start--;
    // AWS_SECRET_ACCESS_KEY holds two keywords: one name, one finding.
    if (hits.some((h) => h.column === start + 1)) continue;
    const a = ASSIGNMENT.exec(line.slice(m.index + m[0].length, m.index + m[0].length + 300));
    if (!a) continue;
    const value = a[2] ?? (bareAllowed ? a[3] : undefined);
    const nameEnd = line.slice(m.index).search(/[^A-Za-z0-9_.-]/);
    const name = line.slice(start, nameEnd === -1 ? line.length : m.index + nameEnd);
    if (value === undefined || NOT_A_SECRET_NAME.test(name) || !looksRandom(value)) continue;
    hits.push({ name, value, column: start + 1 });
  }
  return hits;
}

export interface SecretScan {
  findings: Finding[];
  /** Findings past the cap, counted but not listed. */
  omitted: number;
}

/** Caps the list: a vendored key dump would otherwise bury the report. */
const MAX_PER_FILE = 50;
const MAX_TOTAL = 1000;

/** Scans every text file, line by line, for credentials; never keeps the secret itself. */
export async function scanSecrets(files: readonly RepoFile[], signal: AbortSignal): Promise<SecretScan> {
  const findings: Finding[] = [];
  let omitted = 0;
  for (const [n, file] of files.entries()) {
    if (n % 100 === 99) {
      await breathe();
      stopIfAborted(signal);
    }
    const bareAllowed = CONFIG_FILE.test(file.path);
    const generic = !LOCKFILE.test(file.path);
    let inFile = 0;
    const add = (f: Omit<Finding, 'file' | 'category'>) => {
      if (inFile >= MAX_PER_FILE || findings.length >= MAX_TOTAL) omitted++;
      else findings.push({ ...f, file: file.path, category: 'secrets' });
      inFile++;
    };
    const lines = file.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const specific = new Set<string>();
      for (const p of PATTERNS) {
        for (const m of line.matchAll(p.regex)) {
          const secret = m[1]!;
          specific.add(secret);
          const where = secret.startsWith('-----') ? 'a private key block' : `\`${redact(secret)}\``;
          add({
            ruleId: p.ruleId,
            level: p.level(secret),
            message: `${p.kind} committed to the repository: ${where}. Revoke it and load it from the environment.`,
            line: i + 1,
            column: m.index + line.slice(m.index).indexOf(secret) + 1,
          });
        }
      }
      if (!generic) continue;
      for (const hit of genericOnLine(line, bareAllowed)) {
        if ([...specific].some((s) => s.includes(hit.value) || hit.value.includes(s))) continue;
        add({
          ruleId: 'secret/generic-assignment',
          level: 'warning',
          message:
            `\`${hit.name}\` is assigned a random-looking literal, \`${redact(hit.value)}\` ` +
            `(entropy ${shannonEntropy(hit.value).toFixed(1)} bits/char). If it is a credential, revoke it and load it from the environment.`,
          line: i + 1,
          column: hit.column,
        });
      }
    }
  }
  return { findings, omitted };
}
