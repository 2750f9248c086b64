import { AgentFailure } from '@jeton/runtime/sdk';
import { normaliseHex } from './colour.ts';
import { MOODS, type Mood } from './palette.ts';
import { cleanLine } from './text.ts';

/** The input as the manifest describes it (defaults filled in by the platform). */
export interface Input {
  company: string;
  tagline?: string;
  mood: Mood;
  primaryColour: string;
  secondaryColour?: string;
}

/** The input cleaned and normalised: what the rest of the agent works from. */
export interface BrandRequest {
  company: string;
  tagline: string | null;
  mood: Mood;
  /** Lowercase `#rrggbb`. */
  primary: string;
  /** Lowercase `#rrggbb`, or null to derive it from the mood. */
  secondary: string | null;
}

/**
 * Checks what the input schema cannot: a name made only of spaces or control characters, and the
 * colours' format (the manifest's pattern rejects bad colours first on the platform; this check keeps
 * the agent safe wherever it is called from, and gives the buyer the fix in words).
 */
export function readInput(input: Input): BrandRequest {
  const company = cleanLine(input.company);
  if (!company) {
    throw new AgentFailure(
      'input_invalid',
      'The company name has no visible character once spaces and control characters are removed: give a name.',
    );
  }
  if (!MOODS.includes(input.mood)) {
    throw new AgentFailure('input_invalid', `The mood must be one of ${MOODS.join(', ')}.`);
  }
  return {
    company,
    tagline: cleanLine(input.tagline ?? '') || null,
    mood: input.mood,
    primary: parseColour('main colour', input.primaryColour),
    // A form may send an empty string for a colour left blank: that means "derive it".
    secondary: input.secondaryColour?.trim() ? parseColour('second colour', input.secondaryColour) : null,
  };
}

/** A colour field's value as `#rrggbb`, or a failure that tells the buyer how to write it. */
export function parseColour(label: string, value: unknown): string {
  const hex = typeof value === 'string' ? normaliseHex(value) : null;
  if (hex) return hex;
  const shown = typeof value === 'string' ? JSON.stringify([...value].slice(0, 40).join('')) : String(value);
  throw new AgentFailure(
    'input_invalid',
    `The ${label} ${shown} is not a hex colour: write it as #rrggbb (for example #1f6feb) or #rgb (for example #16e).`,
  );
}
