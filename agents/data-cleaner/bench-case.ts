import { seededRandom } from '@jeton/core';

/**
 * The benchmark's input: ~100 MB of realistic order data (the manifest's maximum), generated here,
 * never committed. Mixed types, quoted fields with commas, doubled quotes and line breaks, missing
 * values in several spellings, padded values, about 1% exact duplicate rows and a few outliers.
 */

const TARGET_BYTES = 100 * 1024 * 1024;

const FIRST = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Emma',
  'François',
  'Grace',
  'Hugo',
  'Inès',
  'Jonas',
  'Kai',
  'Léa',
];
const LAST = ['Martin', 'Smith', 'Müller', "O'Neil", 'García', 'Rossi', 'Dubois', 'Nowak', 'Silva', 'Kim'];
const PLACES = [
  ['France', 'Paris'],
  ['France', 'Lyon'],
  ['Germany', 'Berlin'],
  ['Spain', 'Madrid'],
  ['United States', 'New York'],
  ['Canada', 'Montréal'],
  ['Japan', 'Tokyo'],
] as const;
const NOTES = [
  '',
  '',
  'gift wrap',
  'leave at the door, ring twice',
  'customer said "urgent"',
  'fragile\nhandle with care',
  'call before delivery; no weekends',
];
const MISSING = ['', 'NA', 'null', ' ', 'N/A', '-'];

const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const pad2 = (n: number) => String(n).padStart(2, '0');

function row(id: number, random: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const first = pick(FIRST);
  const last = pick(LAST);
  const [country, city] = pick(PLACES);
  let amount = (5 + random() * 495).toFixed(2);
  if (random() < 0.0005) amount = (50_000 + random() * 900_000).toFixed(2);
  if (random() < 0.02) amount = pick(MISSING);
  const quantity = random() < 0.01 ? pick(MISSING) : String(1 + Math.floor(random() * 9));
  const at = `2024-${pad2(1 + Math.floor(random() * 12))}-${pad2(1 + Math.floor(random() * 28))}T${pad2(Math.floor(random() * 24))}:${pad2(Math.floor(random() * 60))}:00Z`;
  const rating = random() < 0.3 ? '' : String(1 + Math.floor(random() * 5));
  const padded = random() < 0.02 ? `  ${city} ` : city;
  return [
    id,
    quote(`${last}, ${first}`),
    `${first.toLowerCase()}.${id}@example.com`,
    country,
    quote(padded),
    amount,
    quantity,
    at,
    random() < 0.5 ? 'true' : 'false',
    random() < 0.9 ? '' : `SAVE${Math.floor(random() * 50)}`,
    rating,
    quote(pick(NOTES)),
  ].join(',');
}

export async function benchCase(): Promise<{
  input: Record<string, unknown>;
  files: { field: string; name: string; mediaType: string; bytes: Uint8Array }[];
}> {
  // Seeded: the same file on every run, so runs compare.
  const random = seededRandom(20_240_601);
  const encoder = new TextEncoder();
  const bytes = new Uint8Array(TARGET_BYTES);
  let used = encoder.encodeInto(
    'order_id,customer,email,country,city,amount,quantity,ordered_at,shipped,discount_code,rating,note\n',
    bytes,
  ).written;
  let id = 100_000;
  // Rows are encoded a few hundred at a time straight into the buffer, until the next batch no longer fits.
  for (;;) {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const line = row(id++, random);
      lines.push(line);
      if (random() < 0.01) lines.push(line);
    }
    const batch = `${lines.join('\n')}\n`;
    if (used + batch.length * 3 > TARGET_BYTES) break;
    used += encoder.encodeInto(batch, bytes.subarray(used)).written;
  }
  return {
    input: { delimiter: 'auto', dropDuplicates: true, trimWhitespace: true },
    files: [
      { field: 'csv', name: 'orders-100mb.csv', mediaType: 'text/csv', bytes: bytes.subarray(0, used) },
    ],
  };
}
