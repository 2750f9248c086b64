import type { AgentModel } from '@jeton/runtime/sdk';
import { MODEL_COLUMNS } from './limits.ts';
import type { ProfileDocument } from './profile-json.ts';

const SYSTEM = [
  'You are a data-quality analyst writing for a non-technical reader.',
  'From the profile of a CSV file, write a short plain-language summary of its quality: 3 to 6 sentences,',
  'no headings, no lists, no tables. Say what the data seems to be about, its biggest problems (missing',
  'values, duplicates, ragged rows, outliers, mixed types) and whether it looks ready to use.',
  'Use only the figures given; never invent numbers or column names.',
].join(' ');

/** Longest summary kept: a model that ignores the brief cannot flood the report. */
const MAX_SUMMARY_CHARS = 2000;

/**
 * The figures the model sees: names, types and counts only. No cell values or examples are sent, so
 * the buyer's data does not leave the platform through the prompt; only its shape does.
 */
export function summaryPrompt(p: ProfileDocument): string {
  const columns = p.columns.slice(0, MODEL_COLUMNS).map((c) => ({
    name: c.name.slice(0, 60),
    type: c.type,
    missing: c.missing.total,
    distinct: c.distinct.count,
    outliers: c.outliers?.count ?? 0,
    ...(c.nonconforming ? { valuesNotOfMainKind: c.nonconforming.count } : {}),
  }));
  const facts = {
    rows: p.rows.data,
    columns: p.columns.length,
    duplicateRows: p.rows.duplicates.count,
    duplicatesDropped: p.cleaning.duplicatesDropped,
    raggedRows: p.rows.ragged.count,
    rowsWithEveryValueMissing: p.rows.allMissing,
    columnsShown: columns.length,
    columnProfiles: columns,
  };
  return `Profile of the CSV file (JSON):\n${JSON.stringify(facts)}`;
}

/** The model's summary of the profile; throws when the model fails (the caller decides what to do). */
export async function summarise(
  model: AgentModel,
  p: ProfileDocument,
): Promise<{ text: string; model: string } | null> {
  const answer = await model({
    system: SYSTEM,
    prompt: summaryPrompt(p),
    maxOutputTokens: 400,
    temperature: 0.2,
  });
  const text = answer.text.trim();
  if (text.length === 0) return null;
  return {
    text: text.length > MAX_SUMMARY_CHARS ? `${text.slice(0, MAX_SUMMARY_CHARS - 1)}…` : text,
    model: answer.model,
  };
}
