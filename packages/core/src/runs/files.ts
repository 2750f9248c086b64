import type { InputSchema } from '../catalog/input-schema.ts';
import type { Issue } from '../catalog/input-validator.ts';

/** A file a buyer uploaded, to give to a run as input. */
export interface StoredFile {
  id: string;
  ownerId: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  storageKey: string;
  createdAt: Date;
}

/** Whether a file matches an `accept` list: media types (`image/png`, `image/*`) or extensions (`.csv`). */
export function accepts(accept: readonly string[], file: { name: string; mediaType: string }): boolean {
  const type = file.mediaType.toLowerCase().split(';')[0]!.trim();
  const name = file.name.toLowerCase();
  return accept.some((a) =>
    a.startsWith('.') ? name.endsWith(a) : a.endsWith('/*') ? type.startsWith(a.slice(0, -1)) : type === a,
  );
}

/** The file fields of an input schema, with their limits. */
export function fileFields(schema: InputSchema): { name: string; accept: string[]; maxBytes: number }[] {
  return Object.entries(schema.properties).flatMap(([name, f]) =>
    f.type === 'array' && f.editor === 'file' ? [{ name, accept: f.accept, maxBytes: f.maxBytes }] : [],
  );
}

/**
 * Checks the files an input names (after the schema has checked their count): each must be one of the
 * buyer's uploads, within its field's size limit and of an accepted type. Every problem, with its path.
 */
export function checkInputFiles(
  schema: InputSchema,
  input: Record<string, unknown>,
  found: ReadonlyMap<string, StoredFile>,
): Issue[] {
  const issues: Issue[] = [];
  for (const field of fileFields(schema)) {
    const ids = input[field.name];
    if (!Array.isArray(ids)) continue;
    ids.forEach((id, i) => {
      const path = `$.${field.name}[${i}]`;
      const file = typeof id === 'string' ? found.get(id) : undefined;
      if (!file) issues.push({ path, message: 'no such uploaded file of yours' });
      else if (file.size > field.maxBytes) {
        issues.push({
          path,
          message: `the file is ${file.size} bytes; this field takes at most ${field.maxBytes}`,
        });
      } else if (!accepts(field.accept, file)) {
        issues.push({
          path,
          message: `"${file.name}" (${file.mediaType}) is not one of ${field.accept.join(', ')}`,
        });
      }
    });
  }
  return issues;
}

/** Every file id an input names, for looking them up at once. */
export function inputFileIds(schema: InputSchema, input: Record<string, unknown>): string[] {
  return fileFields(schema).flatMap((f) => {
    const v = input[f.name];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  });
}
