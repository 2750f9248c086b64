import { readFileSync, writeFileSync } from 'node:fs';

/** Replaces one section of BENCHMARKS.md, keeping the others that other benchmarks wrote. */
export function replaceSection(file: string, heading: string, section: string): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nWritten by `npm run bench`; each section says its machine and command.\n\n';
  }
  const start = text.indexOf(heading);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + heading.length);
  // One blank line between sections, whatever the section ends with.
  const rest = next < 0 ? '' : `\n${text.slice(next + 1)}`;
  writeFileSync(file, `${text.slice(0, start)}${section.trimEnd()}\n${rest}`);
}
