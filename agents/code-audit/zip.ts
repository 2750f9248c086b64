import { AgentFailure } from '@jeton/runtime/sdk';
import { unzipSync } from 'fflate';
import { type Collector, invalid } from './collector.ts';
import { inline } from './findings.ts';
import { stopIfAborted } from './stop.ts';

/** What fflate's filter does not tell: read from the central directory ourselves. */
interface EntryFlags {
  link: boolean;
  encrypted: boolean;
}

/** The local-header offset of a central-directory entry, from its zip64 extra field when it overflows. */
function localOffset(bytes: Uint8Array, header: number): number {
  const offset = u32(bytes, header + 42);
  if (offset !== 0xffffffff) return offset;
  const nameLength = u16(bytes, header + 28);
  let at = header + 46 + nameLength;
  const end = at + u16(bytes, header + 30);
  for (; at + 4 <= end; at += 4 + u16(bytes, at + 2)) {
    if (u16(bytes, at) !== 1) continue;
    // The zip64 field lists only the values that overflowed, in this order.
    const skip =
      (u32(bytes, header + 24) === 0xffffffff ? 8 : 0) + (u32(bytes, header + 20) === 0xffffffff ? 8 : 0);
    return u64(bytes, at + 4 + skip);
  }
  return offset;
}

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/**
 * The flags of each central-directory entry, in order (the order fflate's filter sees them). Symbolic
 * links are stored as small files whose content is the target; reading them as sources would report a
 * path as code, and following them is never right in an uploaded archive.
 */
function centralDirectory(bytes: Uint8Array, maxEntries: number): EntryFlags[] {
  let end = bytes.length - 22;
  const floor = Math.max(0, bytes.length - 22 - 0xffff);
  while (end >= floor && u32(bytes, end) !== 0x06054b50) end--;
  if (end < floor) throw invalid('The zip archive is damaged: its central directory is missing.');
  let count = u16(bytes, end + 10);
  let offset = u32(bytes, end + 16);
  if (end >= 20 && u32(bytes, end - 20) === 0x07064b50) {
    const zip64End = u64(bytes, end - 12);
    if (u32(bytes, zip64End) === 0x06064b50) {
      count = u64(bytes, zip64End + 32);
      offset = u64(bytes, zip64End + 48);
    }
  }
  if (count > maxEntries) {
    throw invalid(
      `The archive has more than ${maxEntries} entries. Archive the repository without node_modules and ` +
        'build output (for example with `git archive`), and try again.',
    );
  }
  const flags: EntryFlags[] = [];
  const localHeaders = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (u32(bytes, offset) !== 0x02014b50)
      throw invalid('The zip archive is damaged: an entry header is broken.');
    // Entries sharing one local header share its data: a classic way to make a small zip inflate to
    // many copies of the same bytes. No zip tool writes that.
    const local = localOffset(bytes, offset);
    if (localHeaders.has(local)) {
      throw invalid(
        'The zip archive is malformed: several entries point at the same data (a zip-bomb technique). ' +
          'Create the archive again with a standard tool (GitHub\'s "Download ZIP", `git archive`).',
      );
    }
    localHeaders.add(local);
    const madeOnUnix = bytes[offset + 5] === 3;
    const mode = u32(bytes, offset + 38) >>> 16;
    flags.push({
      link: madeOnUnix && (mode & 0o170000) !== 0o100000 && (mode & 0o170000) !== 0o040000 && mode !== 0,
      encrypted: (u16(bytes, offset + 8) & 1) === 1,
    });
    offset += 46 + u16(bytes, offset + 28) + u16(bytes, offset + 30) + u16(bytes, offset + 32);
  }
  return flags;
}

/**
 * Reads the zip's admitted entries. Only entries the collector admits are inflated. fflate inflates a
 * deflated entry into a buffer of its declared size, but copies a stored one by its *compressed* size:
 * so a stored entry whose two sizes differ is refused as malformed, and an entry is admitted on the
 * larger of its two sizes. Either way no entry can cost more memory than the per-file limit.
 */
export function readZip(bytes: Uint8Array, collector: Collector, signal: AbortSignal): void {
  const flags = centralDirectory(bytes, collector.limits.maxEntries);
  const admitted = new Map<string, string>();
  let index = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (entry) => {
        const f = flags[index++];
        collector.countEntry();
        if (index % 256 === 0) stopIfAborted(signal);
        if (entry.name.endsWith('/')) {
          collector.folder(entry.name);
          return false;
        }
        if (f?.link) {
          collector.other(entry.name, 'link or special file');
          return false;
        }
        if (f?.encrypted || (entry.compression !== 0 && entry.compression !== 8)) {
          collector.other(entry.name, 'encrypted or unsupported compression');
          return false;
        }
        if (entry.compression === 0 && entry.size !== entry.originalSize) {
          throw invalid(
            `The zip archive is malformed: the stored entry "${inline(entry.name, 120)}" declares ` +
              `${entry.originalSize} bytes but holds ${entry.size}. Create the archive again with a standard tool.`,
          );
        }
        const path = collector.admit(entry.name, Math.max(entry.originalSize, entry.size));
        if (path === null) return false;
        admitted.set(entry.name, path);
        return true;
      },
    });
  } catch (error) {
    stopIfAborted(signal);
    if (error instanceof AgentFailure) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw invalid(`The zip archive is damaged and cannot be read (${why}).`);
  }
  for (const [name, content] of Object.entries(files)) {
    const path = admitted.get(name);
    if (path !== undefined) collector.keep(path, content);
  }
}
