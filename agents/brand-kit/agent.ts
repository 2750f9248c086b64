import { defineAgent } from '@jeton/runtime/sdk';
import { writeBrandNotes } from './brand-notes.ts';
import { type Input, readInput } from './input.ts';
import manifest from './jeton.agent.json' with { type: 'json' };
import { planLogoColours } from './logo-colours.ts';
import { renderLogo } from './logo-svg.ts';
import { buildPalette } from './palette.ts';
import { type BrandNotes, paletteJson, paletteMarkdown } from './report.ts';
import { initialsOf } from './text.ts';

export type { Input } from './input.ts';

export default defineAgent<Input>({
  manifest,
  async run(ctx, input) {
    ctx.progress(5, 'Checking the input');
    const { company, tagline, mood, primary, secondary } = readInput(input);
    ctx.signal.throwIfAborted();

    ctx.progress(20, 'Deriving the palette');
    const palette = buildPalette(mood, primary, secondary);
    ctx.signal.throwIfAborted();

    ctx.progress(45, 'Drawing the logo');
    const initials = initialsOf(company);
    const logo = planLogoColours(palette, tagline !== null);
    for (const a of logo.adjustments) {
      ctx.log(
        `Logo ${a.element}: ${a.intended} ${a.intendedHex} has ${a.ratioBefore.toFixed(2)}:1, below AA; lightness adjusted to ${a.usedHex} (${a.ratioAfter.toFixed(2)}:1).`,
      );
    }
    const svg = renderLogo({ company, tagline, initials, mood, colours: logo.colours });
    const kit = { company, tagline, initials, palette, logo };
    // The offline results are stored before the model is asked, so no model trouble can lose them.
    await ctx.artifact('logo.svg', svg, 'image/svg+xml');
    await ctx.artifact('palette.json', paletteJson(kit, manifest.version), 'application/json');
    ctx.signal.throwIfAborted();

    let notes: BrandNotes | null = null;
    if (ctx.model.available) {
      ctx.progress(70, 'Writing the brand rationale');
      try {
        notes = await writeBrandNotes(ctx.model, company, tagline, palette);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        ctx.log(
          `The brand rationale was left out: the model could not write it (${error instanceof Error ? error.message : String(error)}).`,
          'warn',
        );
      }
      ctx.signal.throwIfAborted();
    }

    ctx.progress(90, 'Writing the palette document');
    await ctx.artifact('palette.md', paletteMarkdown(kit, notes), 'text/markdown');
    ctx.progress(100, 'Done');
  },
});
