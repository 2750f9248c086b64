import { AgentFailure } from '@jeton/runtime/sdk';

/** A text file of the repository, as the scanners see it. */
export interface RepoFile {
  /** Relative to the repository root (a single top-level folder stripped), `/` separators. */
  path: string;
  text: string;
  bytes: number;
}

/**
 * Every limit on what an archive may cost us. An archive is attacker-controlled input: without these a
 * few kilobytes of zip or gzip can ask for gigabytes of memory (a "zip bomb") or millions of entries.
 */
export interface ArchiveLimits {
  /** Entries of any kind (files, folders, links); far above any real repository, well below a hostile one. */
  maxEntries: number;
  /** Text files kept for scanning; each scanner has its own, lower, caps. */
  maxFiles: number;
  /** One file: larger ones are generated code, data or bundles, which an audit of sources skips. */
  maxFileBytes: number;
  /** All kept files together: what the scanners hold in memory at once. */
  maxTotalBytes: number;
  /** Bytes a tar.gz may inflate to, counting skipped entries (node_modules), before we call it a bomb. */
  maxInflatedBytes: number;
  maxPathLength: number;
}

export const ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 200_000,
  maxFiles: 20_000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxPathLength: 400,
});

export type SkipReason =
  | 'ignored folder (`node_modules`, `.git`, `__MACOSX`)'
  | 'link or special file'
  | 'binary'
  | 'larger than the per-file limit'
  | 'over the total size or file-count limit'
  | 'unsafe or overlong path'
  | 'encrypted or unsupported compression';

export interface Extracted {
  format: 'zip' | 'tar.gz' | 'tar';
  files: RepoFile[];
  /** How many entries were left out, and why. */
  skipped: Partial<Record<SkipReason, number>>;
  /** The top-level folder removed from every path (GitHub's `repo-main/`), if any. */
  strippedPrefix: string | null;
  /** Every regular file outside ignored folders, read or not (a 5 MB lockfile still counts as present). */
  paths: ReadonlySet<string>;
}

const IGNORED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', '__MACOSX']);
/** macOS Finder adds `__MACOSX/` beside the real top folder; it must not stop that folder being stripped. */
const FINDER_METADATA = '__MACOSX';
const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif webp avif ico bmp tif tiff psd pdf zip gz tgz bz2 xz 7z rar zst jar war class so dylib dll ' +
    'exe bin o a obj lib wasm woff woff2 ttf otf eot mp3 mp4 m4a mov avi mkv webm ogg wav flac sqlite db lockb ' +
    'node pyc glb gltf-binary pack idx'
  ).split(' '),
);

export const invalid = (message: string) => new AgentFailure('input_invalid', message);

/**
 * The entry's path made safe to show and to key on, or null when it tries to leave the archive's root
 * (`..`, absolute, drive letters) or hides control characters: such names are a classic way to smuggle
 * a file somewhere else, and no genuine repository needs them.
 */
export function safePath(raw: string, maxLength: number): string | null {
  if (raw.length > maxLength || [...raw].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    return null;
  }
  const unified = raw.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) return null;
  const segments = unified.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  return segments.join('/');
}

export function inIgnoredFolder(path: string): boolean {
  return path.split('/').some((s) => IGNORED_FOLDERS.has(s));
}

export function looksBinaryByName(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && BINARY_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

/**
 * Keeps the text files of one archive within the limits and counts what it leaves out. One per
 * archive read; the readers (zip, tar) only decide what an entry is.
 */
export class Collector {
  readonly files: RepoFile[] = [];
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  private readonly topFolders = new Set<string>();
  private readonly paths: string[] = [];
  private fileAtTop = false;
  private entries = 0;
  private totalBytes = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(readonly limits: ArchiveLimits) {}

  /** Counts an entry of any kind; too many ends the read as an abuse of the service. */
  countEntry(): void {
    if (++this.entries > this.limits.maxEntries) {
      throw invalid(
        `The archive has more than ${this.limits.maxEntries} entries. Archive the repository without ` +
          'node_modules and build output (for example with `git archive`), and try again.',
      );
    }
  }

  skip(reason: SkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /**
   * Whether a regular file with this name and (declared) size is worth reading; null when it is, else
   * the reason it is not, already counted. Called before any byte is inflated.
   */
  admit(rawName: string, size: number): string | null {
    const path = this.place(rawName);
    if (path === null) return this.refuse('unsafe or overlong path');
    if (inIgnoredFolder(path)) return this.refuse('ignored folder (`node_modules`, `.git`, `__MACOSX`)');
    this.paths.push(path);
    if (looksBinaryByName(path)) return this.refuse('binary');
    if (size > this.limits.maxFileBytes) return this.refuse('larger than the per-file limit');
    if (this.files.length >= this.limits.maxFiles || this.totalBytes + size > this.limits.maxTotalBytes) {
      return this.refuse('over the total size or file-count limit');
    }
    this.totalBytes += size;
    return path;
  }

  /** Notes a folder entry's name, so a lone top-level folder is recognised even when it holds no file. */
  folder(rawName: string): void {
    const top = safePath(rawName, this.limits.maxPathLength)?.split('/')[0];
    if (top && top !== FINDER_METADATA) this.topFolders.add(top);
  }

  /** An entry that is not a regular file (a link, a device): never read, but it still has a place. */
  other(rawName: string, reason: SkipReason): void {
    this.place(rawName);
    this.skip(reason);
  }

  /** Keeps the content of an admitted file when it is UTF-8 text. */
  keep(path: string, bytes: Uint8Array): void {
    const text = bytes.subarray(0, 8000).includes(0) ? null : this.decode(bytes);
    if (text === null) this.skip('binary');
    else this.files.push({ path, text, bytes: bytes.byteLength });
  }

  private decode(bytes: Uint8Array): string | null {
    try {
      return this.decoder.decode(bytes);
    } catch {
      return null;
    }
  }

  result(format: Extracted['format']): Extracted {
    const [only] = this.topFolders;
    const strip = !this.fileAtTop && this.topFolders.size === 1 && only !== undefined;
    const cut = strip ? only.length + 1 : 0;
    const files = this.files.map((f) => ({ ...f, path: f.path.slice(cut) }));
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const paths = new Set(this.paths.map((p) => p.slice(cut)));
    return { format, files, skipped: this.skipped, strippedPrefix: strip ? only : null, paths };
  }

  /** The safe path of a file entry, noting where it sits for the top-level-folder rule. */
  private place(rawName: string): string | null {
    const path = safePath(rawName, this.limits.maxPathLength);
    if (path === null) return null;
    const slash = path.indexOf('/');
    if (slash === -1) this.fileAtTop = true;
    else if (path.slice(0, slash) !== FINDER_METADATA) this.topFolders.add(path.slice(0, slash));
    return path;
  }

  private refuse(reason: SkipReason): null {
    this.skip(reason);
    return null;
  }
}
