import { AuthenticationError, ConnectionError, JetonError, ValidationError } from '@jeton/sdk';

/** A mistake in how the command was called (exit code 2), found before or by the server. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Prints an error for a person (stderr) and returns the exit code: 2 when the request itself was
 * wrong (bad arguments, an input the agent refuses), 1 for everything else. Anything that is not an
 * expected error is a bug: rethrown, with its stack.
 */
export function report(error: unknown, err: (line: string) => void = console.error): number {
  if (error instanceof UsageError) {
    err(`Error: ${error.message}`);
    return EXIT.usage;
  }
  if (!(error instanceof JetonError)) throw error;
  err(`Error: ${error.message}`);
  for (const issue of error.issues) err(`  ${issue.path}: ${issue.message}`);
  if (error instanceof AuthenticationError) {
    err('Log in with `jeton login`, or set JETON_API_KEY.');
  }
  if (error instanceof ConnectionError) err('Is the server running? Set JETON_API_URL to point elsewhere.');
  return error instanceof ValidationError ? EXIT.usage : EXIT.failed;
}
