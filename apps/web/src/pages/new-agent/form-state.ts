/** What the new-agent form edits: the state, its defaults, and the small helpers both tabs share. */

export type FieldType = 'text' | 'textarea' | 'number' | 'select' | 'colour';
export type Json = Record<string, unknown>;

export interface InputFieldDraft {
  /** React's key: stable while the name is edited. */
  key: number;
  name: string;
  title: string;
  type: FieldType;
  required: boolean;
  /** Select choices, comma-separated. */
  options: string;
  /** What the form does not edit (description, maxLength, ...), kept from a loaded manifest. */
  extra: Json;
}

export interface FormState {
  name: string;
  slug: string;
  /** The slug follows the name until it is edited by hand. */
  slugEdited: boolean;
  summary: string;
  description: string;
  category: string;
  version: string;
  fields: InputFieldDraft[];
  system: string;
  template: string;
  model: string;
  credits: string;
  example: Record<string, string>;
  test: { enabled: boolean; name: string; contains: string };
  /** The manifest last loaded from the editor: what the form does not own is kept from it. */
  base: Json;
}

/** A change to the form, from its current state. */
export type Edit = (change: (f: FormState) => FormState) => void;

let nextKey = 1;

/** A fresh React key for an input field row. */
export const newFieldKey = (): number => nextKey++;

export const blankField = (n: number): InputFieldDraft => ({
  key: newFieldKey(),
  name: n === 1 ? 'text' : `field${n}`,
  title: n === 1 ? 'Text' : '',
  type: n === 1 ? 'textarea' : 'text',
  required: n === 1,
  options: '',
  extra: {},
});

export const initialForm = (): FormState => ({
  name: '',
  slug: '',
  slugEdited: false,
  summary: '',
  description: '',
  category: '',
  version: '1.0.0',
  fields: [blankField(1)],
  system: '',
  template: '{{text}}',
  model: 'default',
  credits: '5',
  example: {},
  test: { enabled: false, name: 'answers', contains: '' },
  base: {},
});

/** A slug from a name: lowercase ASCII letters, digits and inner dashes, at most 48 characters. */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

/** The field names a template uses, as `{{name}}`, each once. */
export const placeholders = (template: string): string[] => [
  ...new Set([...template.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)].map((m) => m[1] ?? '')),
];

/** A select's choices from their comma-separated text. */
export const choices = (options: string): string[] =>
  options
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
