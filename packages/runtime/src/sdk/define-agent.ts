import { type Manifest, parseManifest } from '@jeton/core';
import type { AgentCtx, AgentDefinition } from './types.ts';

type Field = { type?: unknown; enum?: readonly unknown[]; editor?: unknown };
type FieldValue<F> = F extends { enum: readonly (infer E)[] }
  ? E
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'number' | 'integer' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : F extends { type: 'array' }
          ? string[]
          : unknown;

/**
 * The input type an `as const` manifest's input schema describes: required fields are present, the
 * others optional (fields with a `default` are filled in before `run` is called). A manifest imported
 * from JSON has no literal types, so its input is a plain record: give the type instead
 * (`defineAgent<MyInput>(...)`).
 */
export type InputOf<S> = S extends {
  properties: infer P extends Record<string, Field>;
  required?: readonly (infer R)[];
}
  ? string extends keyof P
    ? Record<string, unknown>
    : { [K in keyof P as K extends R ? K : never]: FieldValue<P[K]> } & {
        [K in keyof P as K extends R ? never : K]?: FieldValue<P[K]>;
      }
  : Record<string, unknown>;

/**
 * Declares an agent: its manifest (checked now, so a broken manifest fails at load, not at the first
 * run) and its `run`. The runtime calls `run(ctx, input)` with the input validated against the
 * manifest and its defaults filled in.
 *
 * @example
 * export default defineAgent({
 *   manifest,
 *   async run(ctx, input) {
 *     ctx.progress(50, 'Thinking');
 *     await ctx.artifact('hello.txt', `Hello, ${input.name}`, 'text/plain');
 *   },
 * });
 */
export function defineAgent<I = never, const M = unknown>(definition: {
  manifest: M;
  run(
    ctx: AgentCtx<[I] extends [never] ? InputOf<M extends { input: infer S } ? S : never> : I>,
    input: [I] extends [never] ? InputOf<M extends { input: infer S } ? S : never> : I,
  ): Promise<void>;
}): AgentDefinition<[I] extends [never] ? InputOf<M extends { input: infer S } ? S : never> : I> {
  const parsed = parseManifest(definition.manifest);
  if (!parsed.ok) {
    const issues = parsed.error.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new Error(`The agent's manifest is not valid: ${issues}`);
  }
  return { manifest: parsed.value as Manifest, run: definition.run };
}
