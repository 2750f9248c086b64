import { ARCHIVE_LIMITS, type ArchiveLimits, Collector, type Extracted, invalid } from './collector.ts';
import { stopIfAborted } from './stop.ts';
import { readTar } from './tar.ts';
import { readZip } from './zip.ts';

export type { Extracted, RepoFile } from './collector.ts';

/** Reads a .zip, .tar.gz or .tar by its first bytes (the buyer's file name may lie or be missing). */
export async function readArchive(
  bytes: Uint8Array,
  signal: AbortSignal,
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): Promise<Extracted> {
  stopIfAborted(signal);
  const collector = new Collector(limits);
  let format: Extracted['format'];
  if (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 3 || bytes[2] === 5) &&
    (bytes[3] === 4 || bytes[3] === 6)
  ) {
    format = 'zip';
    readZip(bytes, collector, signal);
  } else if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    format = 'tar.gz';
    await readTar(bytes, true, collector, signal);
  } else if (new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    format = 'tar';
    await readTar(bytes, false, collector, signal);
  } else {
    throw invalid(
      'The file is not a .zip or .tar.gz archive. Upload the repository as a zip or a gzipped tarball.',
    );
  }
  const extracted = collector.result(format);
  if (extracted.files.length === 0) {
    throw invalid(
      'The archive holds no text file to audit (it is empty, or everything in it is binary, too large or in ' +
        'node_modules/.git).',
    );
  }
  return extracted;
}
