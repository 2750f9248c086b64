import { AgentFailure } from '@jeton/runtime/sdk';
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

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const tgz = await toTarGz([{ name: 'r/a.ts', content: 'export {};' }]);
    await expect(readArchive(tgz, controller.signal)).rejects.toThrow('The run has stopped.');
  });
});
