import { SAMPLE_RECORDS } from './limits.ts';

/** The delimiters `auto` chooses from (the pipe too, though the form does not offer it). */
export const CANDIDATES = [',', ';', '\t', '|'] as const;

/**
 * How many times `d` separates fields in each record of `text`, reading it as `d` would be read: a
 * quote opens a quoted field only at the start of a field, so a stray inch mark (`5" pipe`) in one
 * reading does not swallow the lines after it. A record cut off by the end of an incomplete sample is
 * left out.
 */
export function delimiterCounts(text: string, d: string, complete: boolean): number[] {
  const counts: number[] = [];
  let count = 0;
  let fieldStart = true;
  let quoted = false;
  let recordHasText = false;
  for (let i = 0; i < text.length && counts.length < SAMPLE_RECORDS; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
      recordHasText = true;
    } else if (c === d) {
      count++;
      fieldStart = true;
      recordHasText = true;
    } else if (c === '\n' || c === '\r') {
      if (recordHasText) counts.push(count);
      count = 0;
      fieldStart = true;
      recordHasText = false;
    } else {
      fieldStart = false;
      recordHasText = true;
    }
  }
  if (complete && recordHasText && counts.length < SAMPLE_RECORDS) counts.push(count);
  return counts;
}

/**
 * The candidate that splits the sample's records most consistently: the share of records with the
 * most common count of it (that count above 0); ties go to more columns, then to the list's order.
 * With no candidate at all the file has one column, read with commas.
 */
export function detectDelimiter(text: string, complete: boolean): string {
  let best: { d: string; consistency: number; fields: number } | null = null;
  for (const d of CANDIDATES) {
    const counts = delimiterCounts(text, d, complete);
    if (counts.length === 0) continue;
    const frequency = new Map<number, number>();
    for (const n of counts) frequency.set(n, (frequency.get(n) ?? 0) + 1);
    let mode = 0;
    let modeCount = 0;
    for (const [n, times] of frequency) {
      if (times > modeCount || (times === modeCount && n > mode)) [mode, modeCount] = [n, times];
    }
    if (mode === 0) continue;
    const consistency = modeCount / counts.length;
    if (!best || consistency > best.consistency || (consistency === best.consistency && mode > best.fields)) {
      best = { d, consistency, fields: mode };
    }
  }
  return best?.d ?? ',';
}
