import { type Issue, JetonError } from '@jeton/sdk';
import type { FieldErrors, InputSchema } from './input-schema.ts';

/** The API's issues (JSON paths into the input) by the form field they name. */

/**
 * The field a JSON path points at (`$.mood`, `$.files[0]`, `$["odd name"]`), or null. `base` is where
 * the input sits in the request: `$` when the paths are the input's own (an `input-invalid` problem),
 * `$.input` when they are the request body's (a malformed `POST /v1/runs` body).
 */
export function fieldOfPath(path: string, fields: readonly string[], base = '$'): string | null {
  if (!path.startsWith(base)) return null;
  const rest = path.slice(base.length);
  const m = /^\.([A-Za-z_][A-Za-z0-9_]*)|^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
  const name = m ? (m[1] ?? m[2]) : undefined;
  return name !== undefined && fields.includes(name) ? name : null;
}

/**
 * A 422's issues by field, for showing next to the controls. Issues that name no field of the form
 * (the max-credits cap, the input as a whole) are under `''`, for showing above the form. `base`: see
 * `fieldOfPath`.
 */
export function issuesByField(
  issues: readonly Issue[] | undefined,
  schema: InputSchema,
  base = '$',
): FieldErrors {
  const fields = Object.keys(schema.properties ?? {});
  const out: FieldErrors = {};
  for (const issue of issues ?? []) {
    const field = fieldOfPath(issue.path, fields, base) ?? '';
    const message = field === '' ? `${issue.path}: ${issue.message}` : issue.message;
    out[field] = [...(out[field] ?? []), message];
  }
  return out;
}

/** The issues of an API error by field, knowing which problems name paths in the input itself. */
export function errorsByField(error: unknown, schema: InputSchema): FieldErrors {
  if (!(error instanceof JetonError) || error.issues.length === 0) return {};
  const base = error.type.endsWith('/input-invalid') ? '$' : '$.input';
  return issuesByField(error.issues, schema, base);
}
