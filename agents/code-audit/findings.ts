/** How serious a finding is, with SARIF's own names so the SARIF file needs no translation. */
export type Level = 'note' | 'warning' | 'error';

export const LEVEL_RANK: Readonly<Record<Level, number>> = { note: 0, warning: 1, error: 2 };

export type Category = 'secrets' | 'dependencies' | 'diagnostics' | 'complexity';

/** One thing worth a reader's attention, at one place in the repository. */
export interface Finding {
  ruleId: string;
  level: Level;
  category: Category;
  /** Safe to show: secrets in it are already redacted. */
  message: string;
  /** Relative to the repository root, with `/` separators. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, when known. */
  column?: number;
}

/** What a rule is, for the SARIF `tool.driver.rules` list and the report's legend. */
export interface Rule {
  id: string;
  name: string;
  description: string;
  level: Level;
  category: Category;
}

const rule = (id: string, name: string, level: Level, category: Category, description: string): Rule => ({
  id,
  name,
  level,
  category,
  description,
});

/** The rules this agent knows before it sees a repository (TypeScript's are added per diagnostic code). */
export const RULES: readonly Rule[] = [
  rule(
    'secret/aws-access-key-id',
    'AwsAccessKeyId',
    'error',
    'secrets',
    'An AWS access key id (AKIA…/ASIA…).',
  ),
  rule(
    'secret/aws-secret-access-key',
    'AwsSecretAccessKey',
    'error',
    'secrets',
    'An AWS secret access key assigned to an aws_secret_access_key-like name.',
  ),
  rule(
    'secret/github-token',
    'GitHubToken',
    'error',
    'secrets',
    'A GitHub personal, OAuth, app or refresh token.',
  ),
  rule(
    'secret/gitlab-token',
    'GitLabToken',
    'error',
    'secrets',
    'A GitLab personal, project or runner token.',
  ),
  rule(
    'secret/slack-token',
    'SlackToken',
    'error',
    'secrets',
    'A Slack bot, user or app token, or a webhook URL.',
  ),
  rule(
    'secret/stripe-key',
    'StripeKey',
    'error',
    'secrets',
    'A Stripe secret or restricted key (live or test).',
  ),
  rule('secret/google-api-key', 'GoogleApiKey', 'error', 'secrets', 'A Google API key (AIza…).'),
  rule('secret/npm-token', 'NpmToken', 'error', 'secrets', 'An npm access token (npm_…).'),
  rule('secret/openai-key', 'OpenAiKey', 'error', 'secrets', 'An OpenAI API key (sk-proj-…, sk-…T3BlbkFJ…).'),
  rule('secret/anthropic-key', 'AnthropicKey', 'error', 'secrets', 'An Anthropic API key (sk-ant-…).'),
  rule(
    'secret/url-credentials',
    'UrlCredentials',
    'error',
    'secrets',
    'A password written into a connection URL (scheme://user:password@host).',
  ),
  rule('secret/private-key', 'PrivateKey', 'error', 'secrets', 'A PEM or OpenSSH private key block.'),
  rule(
    'secret/generic-assignment',
    'HardcodedCredential',
    'warning',
    'secrets',
    'A password, secret, token or key assigned a random-looking literal value.',
  ),
  rule(
    'deps/install-script',
    'InstallScript',
    'warning',
    'dependencies',
    'A package.json lifecycle script that runs on install (preinstall, install, postinstall, prepare).',
  ),
  rule(
    'deps/any-version',
    'AnyVersion',
    'warning',
    'dependencies',
    'A dependency that accepts any version (*, x, latest, a dist-tag, or an open-ended >= range).',
  ),
  rule(
    'deps/unpinned-range',
    'UnpinnedRange',
    'note',
    'dependencies',
    'A dependency on a version range (^, ~, x-ranges, hyphen or || ranges) rather than an exact version.',
  ),
  rule(
    'deps/git-dependency',
    'GitDependency',
    'warning',
    'dependencies',
    'A dependency fetched from a git repository (git+…, github:, user/repo), outside the registry.',
  ),
  rule(
    'deps/url-dependency',
    'UrlDependency',
    'warning',
    'dependencies',
    'A dependency fetched from a tarball URL, outside the registry (error when over plain http).',
  ),
  rule(
    'deps/file-dependency',
    'FileDependency',
    'note',
    'dependencies',
    'A dependency on a local path (file:, link:, ./…), which only works inside this checkout.',
  ),
  rule(
    'deps/no-lockfile',
    'NoLockfile',
    'warning',
    'dependencies',
    'A package.json with dependencies and no lockfile beside it or above it: every install may resolve differently.',
  ),
  rule(
    'deps/invalid-manifest',
    'InvalidManifest',
    'warning',
    'dependencies',
    'A package.json that is not valid JSON.',
  ),
  rule(
    'complexity/cyclomatic',
    'CyclomaticComplexity',
    'warning',
    'complexity',
    'A function whose cyclomatic complexity is above the threshold: hard to test and easy to break.',
  ),
];

/** The descriptor for a TypeScript diagnostic code (`TS2322`), made on demand. */
export function typescriptRule(code: number, level: Level): Rule {
  return rule(
    `TS${code}`,
    `TypeScript${code}`,
    level,
    'diagnostics',
    `TypeScript compiler diagnostic TS${code}.`,
  );
}

export function atLeast(level: Level, min: Level): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[min];
}

/** Errors first, then by file and line, so both outputs read top-down in order of urgency. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    (a.column ?? 0) - (b.column ?? 0) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

/**
 * Text from the repository (a name, a version, a command) made safe to put in a Markdown code span:
 * one line, no backtick to break out of the span, and short.
 */
export function inline(value: string, max = 120): string {
  const flat = value.replace(/\s+/g, ' ').replace(/`/g, "'");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
