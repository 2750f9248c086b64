import { RE2JS } from 're2js';

/**
 * Regular expressions from creators (input patterns, test checks) run in RE2: matching takes time
 * linear in the input, so no pattern can freeze the process (`^(a+)+$` against a long string would,
 * in JavaScript's engine). RE2 has no lookaround and no backreferences; a pattern that uses them is
 * refused as invalid.
 */
export function compileSafe(pattern: string): { test(text: string): boolean; toString(): string } | null {
  try {
    const re = RE2JS.compile(pattern);
    // Ajv files compiled patterns under their `toString()`: each must have its own.
    return { test: (text: string) => re.matcher(text).find(), toString: () => `/${pattern}/` };
  } catch {
    return null;
  }
}

export const isSafeRegExp = (pattern: string): boolean => compileSafe(pattern) !== null;

/** The same engine for Ajv's `pattern` keyword. */
export const re2Engine = Object.assign(
  (pattern: string) => {
    const compiled = compileSafe(pattern);
    if (!compiled) throw new Error(`not a valid RE2 pattern: ${pattern}`);
    return compiled;
  },
  { code: 'require("re2js").RE2JS' },
);
