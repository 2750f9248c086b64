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
    ruleId: 'secret/npm-token',
    kind: 'npm token',
    regex: /\b(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g,
    level: error,
  },
  {
    ruleId: 'secret/openai-key',
    kind: 'OpenAI API key',
    regex:
      /\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,250}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9_-])/g,
    level: error,
  },
  {
    ruleId: 'secret/anthropic-key',
    kind: 'Anthropic API key',
    regex: /\b(sk-ant-[A-Za-z0-9_-]{20,250})(?![A-Za-z0-9_-])/g,
    level: error,
  },
  {
    // postgres://admin:pw@host, mongodb+srv://root:pw@cluster, redis://:pw@host, amqp://u:pw@broker.
    ruleId: 'secret/url-credentials',
    kind: 'Password in a connection URL',
    regex: /\b[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:@/"'`<>]{0,100}:([^\s:@/"'`<>]{1,200})@/gi,
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

/** `OPENAI_KEY`, `stripe-key`: any `_key`/`-key` name (a bare `key` or `keyboard` is not one). */
const KEYWORD =
  /(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|credential|[_-]key(?![a-z]))/gi;
/** How far back a keyword's name may start: a longer "name" is not one, and the walk must stay linear. */
const MAX_NAME_BEFORE = 100;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
/** After the keyword: the rest of the name, an assignment, and a value (quoted, or bare in config files). */
const ASSIGNMENT =
  /^[A-Za-z0-9_.-]*["']?\s*(?::=|=>|:|=)\s*(?:(["'`])([^"'`\s]{8,200})\1|([^\s"'`#;,]{8,200}))/;
/** Names that hold something about a credential, not the credential. */
const NOT_A_SECRET_NAME =
  /(?:url|uri|path|file|name|type|length|field|label|placeholder|hint|pattern|regex|header|endpoint|policy|id|expires?|ttl|count|prefix|(?:primary|foreign|sort|cache|partition|row|idempotency|storage|public|map|lookup|react|i18n)[_-]?key)$/i;
const PLACEHOLDER =
  /example|sample|changeme|change_me|placeholder|your[_-]|dummy|redacted|\*{3}|x{5}|\.\.\.|^<.*>$|\$\{|\{\{|%\(|^\$[A-Z_]|process\.env|os\.environ|getenv/i;
const CONFIG_FILE =
  /(?:^|\/)(?:\.env(?:\.[\w-]+)?|\.npmrc|\.pypirc|\.netrc|_netrc|[^/]+\.(?:env|ini|cfg|conf|properties|toml|ya?ml)|Dockerfile)(?:\.(?:example|sample|template|dist))?$/i;
/** `.netrc` writes `password s3cr3t`, with no `=`. */
const NETRC = /(?:^|\/)[._]netrc$/i;
/** Files whose literals are meant to be fake: a generic hit there is a note, not a warning. */
const EXAMPLE_FILE =
  /(?:^|\/)(?:tests?|__tests__|spec|__mocks__|fixtures?|__fixtures__)\/|\.(?:example|sample|template|dist)$/i;
/** A URL's password that only says where the real one goes. */
const URL_PASSWORD_PLACEHOLDER =
  /^(?:password|passwd|pass|pwd|secret|changeme|x+|\*+|<.*>|\[.*\]|\{.*\}|%.*|\$.*|:.*)$/i;
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

/** Whether a provider-shaped hit is a documented stand-in (AWS's `AKIAIOSFODNN7EXAMPLE`) or a URL's `user:password@`. */
function isPlaceholder(ruleId: string, secret: string): boolean {
  if (ruleId === 'secret/url-credentials')
    return URL_PASSWORD_PLACEHOLDER.test(secret) || PLACEHOLDER.test(secret);
  return PLACEHOLDER.test(secret);
}

/**
 * The entropy a random value of this length reaches: a short string cannot have many distinct
 * characters, so a fixed bar flags short identifiers (`auth_token_v2`) and a high one misses long keys.
 */
export function entropyThreshold(length: number): number {
  return Math.min(3.6, Math.max(3, Math.log2(length) - 0.3));
}

function looksRandom(value: string): boolean {
  if (value.length < 10 || PLACEHOLDER.test(value)) return false;
  if (/^\d+$/.test(value) || value.includes('://')) return false;
  // Words joined by separators, maybe with a version or a number: `keyboard-shortcut-1`, `auth_token_v2`.
  if (/^[a-z]+(?:[_.-][a-z]+)*$/i.test(value) || /^[a-z]+(?:[_.-][a-z0-9]+)*$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
  return classes >= 2 && shannonEntropy(value) >= entropyThreshold(value.length);
}

const NETRC_ASSIGNMENT = /^\s+()([^\s]{8,200})/;

/**
 * The `name = 'random literal'` pairs of one line. Linear in the line: a keyword inside a name already
 * looked at is skipped (`AWS_SECRET_ACCESS_KEY` holds three), the walk back to the name's start stops
 * after MAX_NAME_BEFORE characters, and each name's end is found once.
 */
function genericOnLine(
  line: string,
  bareAllowed: boolean,
  netrc: boolean,
): { name: string; value: string; column: number }[] {
  const hits: { name: string; value: string; column: number }[] = [];
  let consumed = 0;
  for (const m of line.matchAll(KEYWORD)) {
    if (m.index < consumed) continue;
    let start = m.index;
    const floor = Math.max(consumed, m.index - MAX_NAME_BEFORE);
    while (start > floor && NAME_CHAR.test(line[start - 1]!)) start--;
    let end = m.index + m[0].length;
    while (end < line.length && NAME_CHAR.test(line[end]!)) end++;
    consumed = end;
    const after = line.slice(end, end + 300);
    const a = ASSIGNMENT.exec(after) ?? (netrc ? NETRC_ASSIGNMENT.exec(after) : null);
    if (!a) continue;
    const value = a[2] ?? (bareAllowed ? a[3] : undefined);
    const name = line.slice(start, end);
    if (value === undefined || NOT_A_SECRET_NAME.test(name) || !looksRandom(value)) continue;
    hits.push({ name, value, column: start + 1 });
  }
  return hits;
}

/** Lines between two checks of the abort signal inside one file (a 1 MB file can hold 500,000). */
const LINES_PER_CHECK = 5000;

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
    const netrc = NETRC.test(file.path);
    const genericLevel: Level = EXAMPLE_FILE.test(file.path) ? 'note' : 'warning';
    const generic = !LOCKFILE.test(file.path);
    let inFile = 0;
    const add = (f: Omit<Finding, 'file' | 'category'>) => {
      if (inFile >= MAX_PER_FILE || findings.length >= MAX_TOTAL) omitted++;
      else findings.push({ ...f, file: file.path, category: 'secrets' });
      inFile++;
    };
    const lines = file.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (i % LINES_PER_CHECK === LINES_PER_CHECK - 1) {
        await breathe();
        stopIfAborted(signal);
      }
      const line = lines[i]!;
      const specific = new Set<string>();
      for (const p of PATTERNS) {
        for (const m of line.matchAll(p.regex)) {
          const secret = m[1]!;
          specific.add(secret);
          if (isPlaceholder(p.ruleId, secret)) continue;
          const where = secret.startsWith('-----') ? 'a private key block' : `\`${redact(secret)}\``;
          add({
            ruleId: p.ruleId,
            level: p.level(secret),
            message: `${p.kind} committed to the repository: ${where}. Revoke it and load it from the environment.`,
            line: i + 1,
            // Every pattern ends with its secret (or an `@` after it): no re-slicing of a long line.
            column: m.index + m[0].lastIndexOf(secret) + 1,
          });
        }
      }
      if (!generic) continue;
      for (const hit of genericOnLine(line, bareAllowed, netrc)) {
        if ([...specific].some((s) => s.includes(hit.value) || hit.value.includes(s))) continue;
        add({
          ruleId: 'secret/generic-assignment',
          level: genericLevel,
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
