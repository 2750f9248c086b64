/**
 * A small RFC 4180 CSV reader for previews: quoted fields (with commas, doubled quotes and line breaks
 * inside), CRLF, LF or lone CR line ends, a leading byte-order mark, and a last line with or without
 * its line end. It stops after `maxRows` records so that a large file costs no more than its preview.
 */
export interface ParsedCsv {
  rows: string[][];
  /** True when the text has more records than were read. */
  truncated: boolean;
}

export function parseCsv(text: string, options: { delimiter?: string; maxRows?: number } = {}): ParsedCsv {
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  // Whether the current record has any content yet (so that a trailing line end adds no empty record).
  let started = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const endRecord = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
    started = false;
  };

  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      started = true;
      i++;
      continue;
    }
    if (c === delimiter) {
      row.push(field);
      field = '';
      started = true;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      // A blank line is no record.
      if (!started && row.length === 0) continue;
      if (rows.length >= maxRows) return { rows, truncated: true };
      endRecord();
      continue;
    }
    // A stray quote inside an unquoted field is kept as it is (lenient, as spreadsheets are).
    field += c;
    started = true;
    i++;
  }
  if (started || field !== '' || row.length > 0) {
    if (rows.length >= maxRows) return { rows, truncated: true };
    endRecord();
  }
  return { rows, truncated: false };
}

/** Comma unless the first line has more semicolons or tabs (outside quotes). */
export function detectDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c]!++;
  }
  let best = ',';
  for (const d of [';', '\t']) if (counts[d]! > counts[best]!) best = d;
  return best;
}
