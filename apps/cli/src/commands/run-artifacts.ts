import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Artifact, Jeton } from '@jeton/sdk';

export interface Downloaded extends Artifact {
  path: string;
}

/**
 * Downloads every artifact of a run into `dir`, checking each one's SHA-256 as it is written; a file
 * appears under its name only once its bytes are known good.
 */
export async function downloadArtifacts(jeton: Jeton, runId: string, dir: string): Promise<Downloaded[]> {
  const artifacts = await jeton.runs.artifacts(runId);
  if (artifacts.length > 0) mkdirSync(dir, { recursive: true });
  const out: Downloaded[] = [];
  const used = new Set<string>();
  for (const a of artifacts) {
    const path = resolve(dir, uniqueName(safeName(a.name, a.id), used));
    const partial = `${path}.part`;
    const res = await jeton.runs.downloadArtifact(runId, a.id);
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        hash.update(chunk);
        next(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        hashing,
        createWriteStream(partial),
      );
      const sha256 = hash.digest('hex');
      if (sha256 !== a.sha256) throw new Error(`${a.name}: SHA-256 ${sha256}, expected ${a.sha256}`);
      renameSync(partial, path);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    out.push({ ...a, path });
  }
  return out;
}

/** An agent chose the name: keep it inside the folder, whatever it says. */
function safeName(name: string, fallback: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const base = basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f]/g, '');
  return base === '' || base === '.' || base === '..' ? fallback : base;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${n}-${name}`;
  used.add(candidate);
  return candidate;
}

export const defaultOutDir = (runId: string) => join('.', runId);
