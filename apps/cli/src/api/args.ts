import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './report.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's arguments, strictly: an unknown option or a missing value is a usage error (exit 2). */
export function parse<const O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A whole number ≥ `min`, or a usage error naming the option. */
export function integer(value: string | undefined, option: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${option} takes a whole number of at least ${min}, not "${value}"`);
  }
  return Number(value);
}
