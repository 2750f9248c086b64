import type { AgentModel } from '@jeton/runtime/sdk';
import type { Palette } from './palette.ts';
import type { BrandNotes } from './report.ts';
import { cleanLine } from './text.ts';

/**
 * The optional, model-written part: a short brand rationale and tagline ideas. Everything the model
 * says is bounded and cleaned, since it ends up in a document the buyer may publish.
 */

const MAX_RATIONALE_CHARS = 900;
const MAX_TAGLINES = 5;
const MAX_TAGLINE_CHARS = 120;
/** About 150 words of rationale and five short lines, with room for the JSON around them. */
const MAX_OUTPUT_TOKENS = 500;

const SCHEMA = {
  type: 'object',
  properties: {
    rationale: { type: 'string', description: 'Two or three sentences, under 120 words.' },
    taglines: { type: 'array', items: { type: 'string' }, maxItems: MAX_TAGLINES },
  },
  required: ['rationale', 'taglines'],
  additionalProperties: false,
};

export async function writeBrandNotes(
  model: AgentModel,
  company: string,
  tagline: string | null,
  palette: Palette,
): Promise<BrandNotes> {
  const colours = palette.colours
    .filter((c) => c.role !== 'neutral')
    .map((c) => `${c.name} ${c.hex} (${c.derivation})`)
    .join('\n');
  const result = await model({
    system:
      'You are a brand designer. You explain, briefly and concretely, why a palette and a logo style ' +
      'suit a company, and propose short taglines. Answer in the language of the company name when it is ' +
      'clearly not English. No marketing superlatives, no emoji.',
    // The buyer's words are quoted as JSON strings so they read as data, not as instructions.
    prompt:
      `Company name: ${JSON.stringify(company)}\n` +
      (tagline ? `Current tagline: ${JSON.stringify(tagline)}\n` : '') +
      `Mood: ${palette.mood}\nColours:\n${colours}\n\n` +
      `Write a rationale (2-3 sentences) for this palette and a ${palette.mood} monogram logo, and ` +
      `${MAX_TAGLINES} tagline ideas of at most 8 words each.`,
    schema: SCHEMA,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    temperature: 0.7,
  });
  const object = (result.object ?? null) as { rationale?: unknown; taglines?: unknown } | null;
  const rationaleSource =
    typeof object?.rationale === 'string' ? object.rationale : object ? '' : result.text;
  const rationale = truncate(cleanLine(rationaleSource), MAX_RATIONALE_CHARS);
  const taglines = (Array.isArray(object?.taglines) ? object.taglines : [])
    .filter((t): t is string => typeof t === 'string')
    .map((t) => truncate(cleanLine(t), MAX_TAGLINE_CHARS))
    .filter((t) => t.length > 0)
    .slice(0, MAX_TAGLINES);
  if (!rationale && taglines.length === 0)
    throw new Error('The model returned neither a rationale nor taglines.');
  return { model: result.model, rationale, taglines };
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
