import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryExecutor } from '@jeton/core';

/**
 * The benchmark's built-in agents: `noop` does nothing (the platform's overhead alone); `wait` runs
 * until it is stopped, and notes when its AbortSignal fired in `markDir/<run id>`, so that the time
 * from a buyer's cancel to the agent being told can be measured across processes.
 */
export function benchExecutor(markDir: string): RegistryExecutor {
  return new RegistryExecutor({
    noop: async () => {},
    wait: (ctx) =>
      new Promise<void>((resolve) =>
        ctx.signal.addEventListener(
          'abort',
          () => {
            // Written whole, then renamed: the reader never sees an empty file.
            const mark = join(markDir, ctx.runId);
            writeFileSync(`${mark}.part`, String(Date.now()));
            renameSync(`${mark}.part`, mark);
            resolve();
          },
          { once: true },
        ),
      ),
  });
}
