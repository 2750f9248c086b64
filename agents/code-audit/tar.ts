import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AgentFailure } from '@jeton/runtime/sdk';
import { extract as tarExtract } from 'tar-stream';
import { type Collector, invalid } from './collector.ts';
import { stopIfAborted } from './stop.ts';

const CHUNK = 64 * 1024;

function* slices(bytes: Uint8Array): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += CHUNK) {
    yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(CHUNK, bytes.length - at));
  }
}

/**
 * Reads a tarball (gzipped or not) as a stream, so memory holds one entry at a time. Entries the
 * collector refuses are drained unread, but their bytes are still inflated: the count of inflated
 * bytes is what stops a gzip bomb hidden in a skipped folder.
 */
export async function readTar(
  bytes: Uint8Array,
  gzipped: boolean,
  collector: Collector,
  signal: AbortSignal,
): Promise<void> {
  const extract = tarExtract();
  const source = Readable.from(slices(bytes), { objectMode: false });
  const gunzip = gzipped ? createGunzip() : null;
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    extract.destroy(error);
  };
  if (gunzip) {
    let inflated = 0;
    const max = collector.limits.maxInflatedBytes;
    gunzip.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > max) {
        fail(
          invalid(
            `The archive inflates to more than ${Math.round(max / 1024 / 1024)} MB, which looks like a ` +
              'decompression bomb. Archive the repository without node_modules and build output, and try again.',
          ),
        );
        gunzip.pause();
      }
    });
    gunzip.on('error', (error) => fail(invalid(`The .tar.gz archive is damaged (gzip: ${error.message}).`)));
    source.pipe(gunzip).pipe(extract);
  } else {
    source.pipe(extract);
  }
  try {
    for await (const entry of extract) {
      collector.countEntry();
      stopIfAborted(signal);
      const { name, type, size } = entry.header;
      if (type === 'file' || type === 'contiguous-file') {
        const path = collector.admit(name, size ?? 0);
        if (path === null) {
          entry.resume();
          continue;
        }
        const parts: Buffer[] = [];
        for await (const chunk of entry as AsyncIterable<Buffer>) parts.push(chunk);
        collector.keep(path, Buffer.concat(parts));
      } else {
        if (type === 'directory') collector.folder(name);
        else collector.other(name, 'link or special file');
        entry.resume();
      }
    }
  } catch (error) {
    stopIfAborted(signal);
    if (failure) throw failure;
    if (error instanceof AgentFailure) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw invalid(`The tar archive is damaged and cannot be read (${why}).`);
  } finally {
    source.destroy();
    gunzip?.destroy();
    extract.destroy();
  }
  if (failure) throw failure;
}
