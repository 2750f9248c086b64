import { AgentFailure } from '@jeton/runtime/sdk';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readArchive } from './archive.ts';
import { ARCHIVE_LIMITS, safePath } from './collector.ts';
import { type ArchiveEntry, toTarGz, toZip } from './fixtures/sample-repos.ts';

const live = new AbortController().signal;
const key = `AKIA${'ZQ4T7XK2MBN5PLRW'}`;

/** One of each thing an archive should not smuggle into the audit, beside two honest files. */
const awkward: ArchiveEntry[] = [
  { name: 'proj/', type: 'directory' },
  { name: 'proj/src/app.ts', content: 'export const a = 1;\n' },
  { name: 'proj/README.md', content: '# proj\n' },
  { name: 'proj/../../etc/passwd', content: `root:x:0:0 ${key}\n` },
  { name: 'proj/link-to-etc', type: 'symlink', linkname: '/etc/passwd' },
  { name: 'proj/logo.png', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
  { name: 'proj/data.txt', content: new Uint8Array([0x41, 0x00, 0x42]) },
  { name: 'proj/latin1.txt', content: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) },
  { name: 'proj/big.sql', content: 'x'.repeat(ARCHIVE_LIMITS.maxFileBytes + 1) },
  { name: 'proj/.git/config', content: '[core]\n' },
];

/** One entry of a hand-made zip: the bytes as stored, and what the headers claim about them. */
interface RawEntry {
  name: string;
  data: Uint8Array;
  method?: 0 | 8;
  /** The uncompressed size the headers declare (default: the data's length). */
  declared?: number;
  /** Reuse the local header (and so the data) of an earlier entry, by index. */
  sameDataAs?: number;
}

/** Writes a zip byte by byte, so that its headers can lie the way a hostile archive's do. */
function rawZip(entries: RawEntry[]): Uint8Array {
  const parts: number[] = [];
  const u16 = (n: number) => parts.push(n & 0xff, (n >>> 8) & 0xff);
  const u32 = (n: number) => {
    u16(n & 0xffff);
    u16(n >>> 16);
  };
  const bytes = (b: Uint8Array | number[]) => {
    for (const x of b) parts.push(x);
  };
  const name = (e: RawEntry) => new TextEncoder().encode(e.name);
  const header = (e: RawEntry) => {
    u16(20); // version needed
    u16(0); // flags
    u16(e.method ?? 0);
    u32(0); // time, date
    u32(0); // crc (fflate does not check it)
    u32(e.data.length);
    u32(e.declared ?? e.data.length);
    u16(name(e).length);
    u16(0); // extra
  };
  const offsets: number[] = [];
  for (const e of entries) {
    if (e.sameDataAs !== undefined) {
      offsets.push(offsets[e.sameDataAs]!);
      continue;
    }
    offsets.push(parts.length);
    u32(0x04034b50);
    header(e);
    bytes(name(e));
    bytes(e.data);
  }
  const central = parts.length;
  for (const [i, e] of entries.entries()) {
    u32(0x02014b50);
    u16(20); // made by
    header(e);
    u16(0); // comment
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(offsets[i]!);
    bytes(name(e));
  }
  const size = parts.length - central;
  u32(0x06054b50);
  u32(0);
  u16(entries.length);
  u16(entries.length);
  u32(size);
  u32(central);
  u16(0);
  return new Uint8Array(parts);
}

describe('archive reading', () => {
  it.each([
    ['src/a.ts', 'src/a.ts'],
    ['./src//a.ts', 'src/a.ts'],
    ['src\\win\\a.ts', 'src/win/a.ts'],
    ['../a.ts', null],
    ['src/../../a.ts', null],
    ['/etc/passwd', null],
    ['C:/Windows/a.ts', null],
    ['src/a\u0000.ts', null],
    [`${'d/'.repeat(300)}a.ts`, null],
  ])('safePath(%j) is %j', (raw, expected) => {
    expect(safePath(raw, ARCHIVE_LIMITS.maxPathLength)).toBe(expected);
  });

  it.each([
    ['zip', () => Promise.resolve(toZip(awkward))],
    ['tar.gz', () => toTarGz(awkward)],
  ])(
    'keeps only safe text files from a %s, strips the lone top folder, and counts the rest',
    async (format, make) => {
      const extracted = await readArchive(await make(), live);
      expect(extracted.format).toBe(format);
      expect(extracted.strippedPrefix).toBe('proj');
      expect(extracted.files.map((f) => f.path)).toEqual(['README.md', 'src/app.ts']);
      expect(extracted.skipped).toEqual({
        'unsafe or overlong path': 1,
        'link or special file': 1,
        binary: 3,
        'larger than the per-file limit': 1,
        'ignored folder (`node_modules`, `.git`, `__MACOSX`)': 1,
      });
      // Paths of unread files are known (for the lockfile check); ignored folders are not.
      expect([...extracted.paths].sort()).toEqual([
        'README.md',
        'big.sql',
        'data.txt',
        'latin1.txt',
        'logo.png',
        'src/app.ts',
      ]);
    },
  );

  it('reads a plain, uncompressed tar', async () => {
    const { gunzipSync } = await import('node:zlib');
    const tar = new Uint8Array(gunzipSync(await toTarGz([{ name: 'r/src/a.ts', content: 'export {};' }])));
    const extracted = await readArchive(tar, live);
    expect(extracted.format).toBe('tar');
    expect(extracted.files.map((f) => f.path)).toEqual(['src/a.ts']);
  });

  it('does not strip when files sit at the top', async () => {
    const zip = toZip([
      { name: 'package.json', content: '{}' },
      { name: 'src/a.ts', content: 'export {};' },
    ]);
    const extracted = await readArchive(zip, live);
    expect(extracted.strippedPrefix).toBeNull();
    expect(extracted.files.map((f) => f.path)).toEqual(['package.json', 'src/a.ts']);
  });

  it('strips the top folder of a Finder zip, whose __MACOSX folder is ignored', async () => {
    const zip = toZip([
      { name: 'proj/src/a.ts', content: 'export {};' },
      { name: '__MACOSX/proj/src/._a.ts', content: 'Mac OS X        ATTR' },
    ]);
    const extracted = await readArchive(zip, live);
    expect(extracted.strippedPrefix).toBe('proj');
    expect(extracted.files.map((f) => f.path)).toEqual(['src/a.ts']);
  });

  it('refuses archives with too many entries', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `r/f${i}.txt`, content: 'x' }));
    const limits = { ...ARCHIVE_LIMITS, maxEntries: 10 };
    await expect(readArchive(toZip(many), live, limits)).rejects.toThrow(/more than 10 entries/);
    await expect(readArchive(await toTarGz(many), live, limits)).rejects.toThrow(/more than 10 entries/);
  });

  it('stops keeping files at the total budget, without failing', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `r/f${i}.txt`, content: 'y'.repeat(400) }));
    const extracted = await readArchive(await toTarGz(files), live, {
      ...ARCHIVE_LIMITS,
      maxTotalBytes: 1000,
    });
    expect(extracted.files).toHaveLength(2);
    expect(extracted.skipped['over the total size or file-count limit']).toBe(3);
  });

  it('refuses a tar.gz that inflates past the limit, even inside a skipped folder', async () => {
    const bomb = await toTarGz([
      { name: 'r/index.ts', content: 'export {};' },
      { name: 'r/node_modules/pad/zeros.js', content: new Uint8Array(3 * 1024 * 1024) },
    ]);
    expect(bomb.length).toBeLessThan(20_000);
    const limits = { ...ARCHIVE_LIMITS, maxInflatedBytes: 1024 * 1024 };
    const error = await readArchive(bomb, live, limits).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentFailure);
    expect((error as AgentFailure).code).toBe('input_invalid');
    expect((error as AgentFailure).message).toMatch(/decompression bomb/);
  });

  it('never inflates a zip entry larger than the per-file limit', async () => {
    const zip = toZip([
      { name: 'r/a.ts', content: 'export {};' },
      { name: 'r/huge.log', content: new Uint8Array(8 * 1024 * 1024).fill(0x61) },
    ]);
    expect(zip.length).toBeLessThan(50_000);
    const extracted = await readArchive(zip, live);
    expect(extracted.files.map((f) => f.path)).toEqual(['a.ts']);
    expect(extracted.skipped['larger than the per-file limit']).toBe(1);
  });

  const small = { ...ARCHIVE_LIMITS, maxFileBytes: 1000 };
  const failure = async (zip: Uint8Array) => {
    const error = await readArchive(zip, live, small).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentFailure);
    expect((error as AgentFailure).code).toBe('input_invalid');
    return (error as AgentFailure).message;
  };

  it('reads an honest hand-made zip (the builder the next tests use)', async () => {
    const extracted = await readArchive(
      rawZip([
        { name: 'r/a.ts', data: new TextEncoder().encode('export const a = 1;\n') },
        {
          name: 'r/b.ts',
          data: deflateSync(new TextEncoder().encode('export const b = 2;\n')),
          method: 8,
          declared: 20,
        },
      ]),
      live,
      small,
    );
    expect(extracted.files.map((f) => [f.path, f.text])).toEqual([
      ['a.ts', 'export const a = 1;\n'],
      ['b.ts', 'export const b = 2;\n'],
    ]);
  });

  it('refuses a stored zip entry whose declared size is smaller than its data', async () => {
    // fflate copies a stored entry by its compressed size: admitted on "10 bytes", it would keep 5,000.
    const zip = rawZip([
      { name: 'r/a.ts', data: new TextEncoder().encode('export {};') },
      { name: 'r/liar.txt', data: new Uint8Array(5000).fill(0x61), declared: 10 },
    ]);
    expect(await failure(zip)).toMatch(/declares 10 bytes but holds 5000/);
  });

  it('skips a zip entry whose compressed data is over the per-file limit, whatever size it declares', async () => {
    const noise = new Uint8Array(4000).map((_, i) => (i * 7919 + ((i * i) % 251)) & 0xff);
    const zip = rawZip([
      { name: 'r/a.ts', data: new TextEncoder().encode('export {};') },
      { name: 'r/liar.txt', data: deflateSync(noise, { level: 0 }), method: 8, declared: 10 },
    ]);
    const extracted = await readArchive(zip, live, small);
    expect(extracted.files.map((f) => f.path)).toEqual(['a.ts']);
    expect(extracted.skipped['larger than the per-file limit']).toBe(1);
    expect([...extracted.paths].sort()).toEqual(['a.ts', 'liar.txt']);
  });

  it('refuses a zip whose entries share one local header (overlapping data)', async () => {
    const data = new TextEncoder().encode('x'.repeat(900));
    const zip = rawZip([
      { name: 'r/a.ts', data: new TextEncoder().encode('export {};') },
      { name: 'r/one.txt', data },
      ...Array.from({ length: 5 }, (_, i) => ({ name: `r/copy${i}.txt`, data, sameDataAs: 1 })),
    ]);
    expect(await failure(zip)).toMatch(/several entries point at the same data/);
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const tgz = await toTarGz([{ name: 'r/a.ts', content: 'export {};' }]);
    await expect(readArchive(tgz, controller.signal)).rejects.toThrow('The run has stopped.');
  });

  it.each([
    [
      'a damaged zip',
      () => Promise.resolve(toZip([{ name: 'r/a.ts', content: 'export {};' }]).subarray(0, 60)),
    ],
    [
      'a damaged tar.gz',
      async () => (await toTarGz([{ name: 'r/a.ts', content: 'export {};' }])).subarray(0, 30),
    ],
    ['a file that is no archive', () => Promise.resolve(new TextEncoder().encode('just text'))],
  ])('reports a cancelled run as stopped, in one form, even for %s', async (_, make) => {
    const controller = new AbortController();
    controller.abort();
    const error = await readArchive(await make(), controller.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentFailure);
    expect((error as AgentFailure).code).toBe('agent_error');
    expect((error as AgentFailure).message).toBe('The run has stopped.');
  });
});
