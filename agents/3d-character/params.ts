import { AgentFailure } from '@jeton/runtime/sdk';
import { parseHexColour, type Rgb8, toHex } from './colour.ts';
import manifest from './jeton.agent.json' with { type: 'json' };

export const BUILDS = ['slim', 'average', 'sturdy'] as const;
export const HAIR_STYLES = ['none', 'short', 'long', 'mohawk'] as const;
export type Build = (typeof BUILDS)[number];
export type HairStyle = (typeof HAIR_STYLES)[number];

/** The input as the platform hands it over: validated against the manifest, defaults filled in. */
export interface Input {
  description?: string;
  height: number;
  build: Build;
  headSize: number;
  skinColour: string;
  shirtColour: string;
  trousersColour: string;
  hairColour: string;
  hair: HairStyle;
  hat: boolean;
  glasses: boolean;
  backpack: boolean;
}

/** Every parameter the model may choose: the input minus the free text. */
export type Choice = Omit<Input, 'description'>;
export type ChoiceKey = keyof Choice;

export const COLOUR_FIELDS = ['skinColour', 'shirtColour', 'trousersColour', 'hairColour'] as const;
export type ColourField = (typeof COLOUR_FIELDS)[number];

/** What the geometry is built from: colours parsed, nothing left to interpret. */
export interface CharacterParams {
  height: number;
  build: Build;
  headSize: number;
  colours: Record<ColourField, Rgb8>;
  hair: HairStyle;
  hat: boolean;
  glasses: boolean;
  backpack: boolean;
}

const properties = manifest.input.properties;
export const HEIGHT_RANGE = [properties.height.minimum, properties.height.maximum] as const;
export const HEAD_SIZE_RANGE = [properties.headSize.minimum, properties.headSize.maximum] as const;

/** The manifest's defaults, read from the manifest so the two can never disagree. */
export const DEFAULTS: Choice = {
  height: properties.height.default,
  build: properties.build.default as Build,
  headSize: properties.headSize.default,
  skinColour: properties.skinColour.default,
  shirtColour: properties.shirtColour.default,
  trousersColour: properties.trousersColour.default,
  hairColour: properties.hairColour.default,
  hair: properties.hair.default as HairStyle,
  hat: properties.hat.default,
  glasses: properties.glasses.default,
  backpack: properties.backpack.default,
};

const CHOICE_KEYS = Object.keys(DEFAULTS) as ChoiceKey[];

const COLOUR_TITLES: Record<ColourField, string> = {
  skinColour: 'Skin',
  shirtColour: 'Shirt',
  trousersColour: 'Trousers',
  hairColour: 'Hair colour',
};

/**
 * The schema only says "string" for colours (the form's colour editor is a hint, not a rule), so an
 * API caller can send "blue": refuse it here, naming the field and the expected form.
 */
export function checkColours(input: Choice): void {
  for (const field of COLOUR_FIELDS) {
    if (parseHexColour(input[field]) === null) {
      const shown = input[field].length > 40 ? `${input[field].slice(0, 40)}…` : input[field];
      throw new AgentFailure(
        'input_invalid',
        `${COLOUR_TITLES[field]} (${field}) must be a hex colour such as #2a6fdb, not "${shown}".`,
      );
    }
  }
}

function sameValue(key: ChoiceKey, a: unknown, b: unknown): boolean {
  if ((COLOUR_FIELDS as readonly string[]).includes(key) && typeof a === 'string' && typeof b === 'string') {
    const ca = parseHexColour(a);
    const cb = parseHexColour(b);
    return ca !== null && cb !== null && toHex(ca) === toHex(cb);
  }
  return a === b;
}

export interface Merged {
  choice: Choice;
  /** Fields whose value came from the model. */
  fromModel: ChoiceKey[];
  /** Fields the model suggested but the buyer had already set. */
  keptFromBuyer: ChoiceKey[];
}

/**
 * Precedence: the buyer's explicit values, then the model's suggestion, then the manifest default.
 * The platform fills defaults in before `run` and the form always sends every field, so "explicit"
 * can only mean "different from the default": a field still at its default is treated as unset.
 */
export function mergeChoice(input: Choice, suggestion: Partial<Choice>): Merged {
  const choice = { ...input };
  const fromModel: ChoiceKey[] = [];
  const keptFromBuyer: ChoiceKey[] = [];
  for (const key of CHOICE_KEYS) {
    if (!(key in suggestion) || suggestion[key] === undefined) continue;
    if (!sameValue(key, input[key], DEFAULTS[key])) {
      keptFromBuyer.push(key);
      continue;
    }
    (choice as Record<string, unknown>)[key] = suggestion[key];
    if (!sameValue(key, suggestion[key], input[key])) fromModel.push(key);
  }
  return { choice, fromModel, keptFromBuyer };
}

/** The choice in the manifest's field order, colours as lowercase #rrggbb: what the .glb records. */
export function canonicalChoice(choice: Choice): Choice {
  const out = Object.fromEntries(CHOICE_KEYS.map((key) => [key, choice[key]])) as unknown as Choice;
  for (const field of COLOUR_FIELDS) {
    const parsed = parseHexColour(choice[field]);
    if (parsed) out[field] = toHex(parsed);
  }
  return out;
}

/** Assumes the colours were checked (`checkColours`). */
export function toParams(choice: Choice): CharacterParams {
  const colour = (field: ColourField): Rgb8 => parseHexColour(choice[field])!;
  return {
    height: choice.height,
    build: choice.build,
    headSize: choice.headSize,
    colours: {
      skinColour: colour('skinColour'),
      shirtColour: colour('shirtColour'),
      trousersColour: colour('trousersColour'),
      hairColour: colour('hairColour'),
    },
    hair: choice.hair,
    hat: choice.hat,
    glasses: choice.glasses,
    backpack: choice.backpack,
  };
}
