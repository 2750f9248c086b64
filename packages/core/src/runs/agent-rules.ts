import { artifactName } from '../catalog/manifest-schema.ts';

/**
 * What an agent may give the platform, checked the same way in a paid run and in a local one (tests,
 * `jeton agent test`, publish checks): each function returns the refusal the agent gets, or null.
 */

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(;[ -~]{0,200})?$/i;

export function artifactRefusal(name: unknown, mediaType: unknown): string | null {
  if (!artifactName.safeParse(name).success) {
    return `"${String(name)}" is not a valid artifact name (letters, digits, ".", "_", "-").`;
  }
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType)) {
    return `"${String(mediaType)}" is not a media type such as text/plain.`;
  }
  return null;
}

export const artifactTooLarge = (name: string, maxBytes: number) =>
  `Artifact "${name}" is larger than ${maxBytes} bytes.`;

export function chargeRefusal(quantity: unknown): string | null {
  return Number.isInteger(quantity) && (quantity as number) >= 1 && (quantity as number) <= 1_000_000
    ? null
    : `Charge quantities are whole numbers from 1 (got ${String(quantity)}).`;
}

const UNSTORABLE = /\0|\p{Cs}/u;

/**
 * Whether a value holds text Postgres cannot store (NUL, a lone surrogate) anywhere in it. What an
 * agent gives as data is refused for it, so that a database error it provoked is never taken for the
 * platform's own trouble.
 */
export function holdsUnstorableText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) {
    if (UNSTORABLE.test(k) || holdsUnstorableText(v, depth + 1)) return true;
  }
  return false;
}
