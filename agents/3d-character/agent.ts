import { type AgentCtx, AgentFailure, defineAgent } from '@jeton/runtime/sdk';
import { buildCharacter } from './character.ts';
import { encodeGlb } from './glb.ts';
import manifest from './jeton.agent.json' with { type: 'json' };
import { type Choice, canonicalChoice, checkColours, type Input, mergeChoice, toParams } from './params.ts';
import { encodePng } from './png.ts';
import { renderPreview } from './render.ts';
import { suggestFromDescription } from './suggest.ts';

export const GENERATOR = 'Jeton 3d-character';

function stopIfAborted(ctx: AgentCtx<Input>) {
  if (ctx.signal.aborted) throw new AgentFailure('agent_error', 'The run was stopped.');
}

async function chooseParameters(ctx: AgentCtx<Input>, input: Input): Promise<Choice> {
  const { description, ...explicit } = input;
  const text = description?.trim() ?? '';
  if (text === '') return explicit;
  if (!ctx.model.available) {
    ctx.log('A description was given, but no model provider is configured: it was not used.', 'warn');
    return explicit;
  }
  ctx.progress(10, 'Asking the model for parameters that match the description');
  const suggestion = await suggestFromDescription(ctx, text);
  const merged = mergeChoice(explicit, suggestion);
  if (merged.fromModel.length > 0) {
    ctx.log(`From the description: ${merged.fromModel.map((k) => `${k}=${merged.choice[k]}`).join(', ')}.`);
  }
  if (merged.keptFromBuyer.length > 0) ctx.log(`Kept as you set them: ${merged.keptFromBuyer.join(', ')}.`);
  return merged.choice;
}

export default defineAgent<Input>({
  manifest,
  async run(ctx, input) {
    ctx.progress(0, 'Checking the parameters');
    checkColours(input);
    // The model's values were checked in `usableSuggestion`; only the buyer's can still be wrong.
    const choice = canonicalChoice(await chooseParameters(ctx, input));
    stopIfAborted(ctx);

    ctx.progress(30, 'Building the mesh');
    const character = buildCharacter(toParams(choice));
    const glb = encodeGlb(character, { generator: GENERATOR, extras: { parameters: choice } });
    stopIfAborted(ctx);
    await ctx.artifact('character.glb', glb, 'model/gltf-binary');
    await ctx.charge('model');
    ctx.log(`character.glb: ${glb.byteLength} bytes.`);

    ctx.progress(60, 'Rendering the preview');
    let png: Uint8Array | null = null;
    try {
      png = encodePng(renderPreview(character));
    } catch (error) {
      // The .glb is the product: a preview that cannot be drawn must not cost the buyer the character.
      const reason = error instanceof Error ? error.message : String(error);
      ctx.log(`The preview could not be rendered (${reason}); only the model is delivered.`, 'warn');
    }
    stopIfAborted(ctx);
    if (png) {
      await ctx.artifact('preview.png', png, 'image/png');
      await ctx.charge('preview');
    }
    ctx.progress(100, png ? 'Character and preview ready' : 'Character ready (no preview)');
  },
});
