import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'agents/**/*.test.ts',
      'apps/web/e2e/**/*.test.ts',
    ],
    // Database suites create their own database; a generous timeout covers PGlite's first initdb.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every answer the API gives in a test must match its documented schema.
    env: { JETON_CHECK_RESPONSES: 'true' },
    // The JSON report lets CI print one plain closing line; it is not committed.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
