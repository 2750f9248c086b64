import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Actor,
  type Catalog,
  type Creator,
  type Logger,
  PLATFORM_CREATOR_ID,
  parseManifestText,
} from '@jeton/core';

export const JETON_LABS: Creator = {
  id: PLATFORM_CREATOR_ID,
  handle: 'jeton-labs',
  displayName: 'Jeton Labs',
};
const labs: Actor = { id: JETON_LABS.id, role: 'user' };

/** The repository's `agents/` folder: built-in agents at its top, draft examples under `examples/`. */
export const AGENTS_DIR = fileURLToPath(new URL('../../../agents', import.meta.url));

export interface SeedReport {
  published: string[];
  drafted: string[];
  failed: { slug: string; reason: string }[];
}

/**
 * Makes a fresh install a real storefront: publishes every built-in agent's manifest under Jeton
 * Labs (a newer version in the files is published at the next start) and saves the examples as
 * drafts. Idempotent, and safe for several processes starting at once: a version someone else just
 * published is simply skipped. A manifest that fails is logged, never fatal.
 */
export async function seedCatalog(
  catalog: Catalog,
  logger: Logger,
  dir: string = AGENTS_DIR,
): Promise<SeedReport> {
  await catalog.registerCreator(JETON_LABS);
  const report: SeedReport = { published: [], drafted: [], failed: [] };
  for (const [folder, publish] of [
    [dir, true],
    [join(dir, 'examples'), false],
  ] as const) {
    for (const name of manifestFolders(folder)) {
      const file = join(folder, name, 'jeton.agent.json');
      const parsed = parseManifestText(readFileSync(file, 'utf8'), file);
      if (!parsed.ok) {
        report.failed.push({
          slug: name,
          reason: parsed.error.map((i) => `${i.path}: ${i.message}`).join('; '),
        });
        continue;
      }
      const m = parsed.value;
      const page = await catalog.get(labs, m.slug);
      const existing = page.ok ? page.value.versions.find((v) => v.version === m.version) : undefined;
      if (existing?.status === 'published' || (!publish && page.ok)) continue;
      const draft = await catalog.saveDraft(labs, m);
      if (!draft.ok) {
        if (draft.error.type !== 'version_immutable')
          report.failed.push({ slug: m.slug, reason: draft.error.type });
        continue;
      }
      if (!publish) {
        report.drafted.push(m.slug);
        continue;
      }
      const published = await catalog.publish(labs, m.slug, m.version);
      if (published.ok) report.published.push(`${m.slug}@${m.version}`);
      // Another process starting at the same time published it, or replaced the draft to do so.
      else if (published.error.type !== 'version_immutable' && published.error.type !== 'draft_changed') {
        report.failed.push({ slug: m.slug, reason: published.error.type });
      }
    }
  }
  for (const f of report.failed) logger.error(f, 'a built-in agent could not be seeded');
  if (report.published.length + report.drafted.length > 0) {
    logger.info({ published: report.published, drafted: report.drafted }, 'catalog seeded');
  }
  return report;
}

function manifestFolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'examples')
      .filter((e) => {
        try {
          readFileSync(join(dir, e.name, 'jeton.agent.json'));
          return true;
        } catch {
          return false;
        }
      })
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
