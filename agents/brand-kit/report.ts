import type { LogoColourPlan } from './logo-colours.ts';
import { explainMethod, type Palette } from './palette.ts';
import { escapeMarkdown } from './text.ts';
import { AA_LARGE, AA_NORMAL, AAA_LARGE, AAA_NORMAL, type ContrastVerdict } from './wcag.ts';

/** palette.json and palette.md: the same facts, for tools and for people. */

export interface BrandKit {
  company: string;
  tagline: string | null;
  initials: string;
  palette: Palette;
  logo: LogoColourPlan;
}

/** What a model wrote about the brand (optional, see the README). */
export interface BrandNotes {
  model: string;
  rationale: string;
  taglines: string[];
}

export function paletteJson(kit: BrandKit, version: string): string {
  return `${JSON.stringify(
    {
      company: kit.company,
      tagline: kit.tagline,
      mood: kit.palette.mood,
      method: explainMethod(),
      thresholds: { aaNormal: AA_NORMAL, aaLarge: AA_LARGE, aaaNormal: AAA_NORMAL, aaaLarge: AAA_LARGE },
      colours: kit.palette.colours,
      pairs: kit.palette.pairs,
      logo: { initials: kit.initials, ...kit.logo },
      generator: `brand-kit ${version}`,
    },
    null,
    2,
  )}\n`;
}

const mark = (ok: boolean) => (ok ? 'pass' : '**fail**');
const ratio = (v: ContrastVerdict) => `${v.ratio.toFixed(2)}:1`;
const flags = (v: ContrastVerdict) =>
  `${mark(v.aaNormal)} | ${mark(v.aaLarge)} | ${mark(v.aaaNormal)} | ${mark(v.aaaLarge)}`;

function advice(v: ContrastVerdict): string {
  if (v.aaaNormal) return 'any text';
  if (v.aaNormal) return 'any text (AA)';
  if (v.aaLarge) return 'large text only (18 pt / 24 px, or 14 pt / 18.67 px bold)';
  return 'not for text; decoration only';
}

export function paletteMarkdown(kit: BrandKit, notes: BrandNotes | null): string {
  const p = kit.palette;
  const hexOf = (name: string) => p.colours.find((c) => c.name === name)!.hex;
  const out: string[] = [
    `# ${escapeMarkdown(kit.company)}: brand palette`,
    '',
    ...(kit.tagline ? [`> ${escapeMarkdown(kit.tagline)}`, ''] : []),
    `Mood: **${p.mood}**. Main colour \`${hexOf('primary')}\`, second colour \`${hexOf('secondary')}\`.`,
    '',
    '## Colours',
    '',
    '| name | role | hex | rgb | OKLCH (L C H) | how |',
    '|---|---|---|---|---|---|',
    ...p.colours.map(
      (c) =>
        `| ${c.name} | ${c.role} | \`${c.hex}\` | ${c.rgb.r}, ${c.rgb.g}, ${c.rgb.b} | ${c.oklch.l} ${c.oklch.c} ${c.oklch.h} | ${escapeMarkdown(c.derivation)} |`,
    ),
    '',
    '## WCAG contrast of text and background pairs',
    '',
    `Every contrast ratio is computed per WCAG 2.x (relative luminance, sRGB transfer function). Ratios are shown rounded to two decimals; pass and fail are decided on the exact value. Thresholds: AA normal ${AA_NORMAL}:1, AA large ${AA_LARGE}:1, AAA normal ${AAA_NORMAL}:1, AAA large ${AAA_LARGE}:1.`,
    '',
    '| text | on background | ratio | AA normal | AA large | AAA normal | AAA large | use for |',
    '|---|---|---|---|---|---|---|---|',
    ...p.pairs.map(
      (x) =>
        `| ${x.foreground} \`${x.foregroundHex}\` | ${x.background} \`${x.backgroundHex}\` | ${ratio(x)} | ${flags(x)} | ${advice(x)} |`,
    ),
    '',
    '## Logo',
    '',
    `Monogram **${escapeMarkdown(kit.initials)}**. Every text in the logo reaches at least AA for normal text (${AA_NORMAL}:1) against what is behind it.`,
    '',
    '| element | text | background | ratio | AA normal | AA large | AAA normal | AAA large |',
    '|---|---|---|---|---|---|---|---|',
    ...kit.logo.pairs.map(
      (x) => `| ${x.element} | \`${x.foregroundHex}\` | \`${x.backgroundHex}\` | ${ratio(x)} | ${flags(x)} |`,
    ),
    '',
  ];
  if (kit.logo.adjustments.length === 0) {
    out.push(
      'No logo colour needed adjusting: the palette colours already reach AA where the logo uses them.',
      '',
    );
  } else {
    for (const a of kit.logo.adjustments) {
      out.push(
        `- The ${a.element} would use ${a.intended} \`${a.intendedHex}\` (${a.ratioBefore.toFixed(2)}:1, below AA); its lightness was adjusted to \`${a.usedHex}\` (${a.ratioAfter.toFixed(2)}:1), same hue.`,
      );
    }
    out.push('');
  }
  out.push('## How the palette was made', '', explainMethod(), '');
  if (notes) {
    out.push(
      `## Brand rationale`,
      '',
      `_Written by a model (${escapeMarkdown(notes.model)}); review before use._`,
      '',
    );
    if (notes.rationale) out.push(escapeMarkdown(notes.rationale), '');
    if (notes.taglines.length > 0) {
      out.push('Tagline ideas:', '', ...notes.taglines.map((t) => `- ${escapeMarkdown(t)}`), '');
    }
  }
  return out.join('\n');
}
