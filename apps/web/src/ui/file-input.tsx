import { useState } from 'react';
import { api, describeError } from '../api.ts';
import { bytes } from './format.ts';
import { type FieldSchema, num, strings } from './input-schema.ts';

/** A file field's limits, in words: accepted types, size per file, how many files. */
export function fileLimits(field: FieldSchema): string {
  const accept = strings(field.accept).join(', ');
  const maxBytes = num(field.maxBytes);
  const maxCount = num(field.maxCount) ?? 1;
  return [
    accept ? `Accepts ${accept}.` : '',
    maxBytes !== undefined ? `At most ${bytes(maxBytes)} per file` : '',
    maxCount > 1 ? `, up to ${maxCount} files.` : maxBytes !== undefined ? '.' : '',
  ]
    .join(' ')
    .replace(' ,', ',')
    .trim();
}

interface Upload {
  key: number;
  name: string;
  size: number;
  state: 'uploading' | 'done' | 'failed';
  id?: string;
  error?: string;
}

let uploadKey = 0;

/** A file name the API takes: no slashes or control characters, 1 to 200 characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const safeName = (n: string) => n.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'file';

/** A file field of a schema form: uploads through api.files.upload, the ids kept in its value. */
export function FileInput(props: {
  common: {
    id: string;
    disabled: boolean;
    required: boolean;
    'aria-describedby': string | undefined;
    'aria-invalid': true | undefined;
  };
  name: string;
  field: FieldSchema;
  value: string[];
  onChange(v: unknown): void;
  agent: string | undefined;
}) {
  const { common, name, field, value, onChange, agent } = props;
  const [uploads, setUploads] = useState<Upload[]>([]);
  const maxCount = num(field.maxCount) ?? 1;
  const maxBytes = num(field.maxBytes);
  const accept = strings(field.accept).join(',');
  // The ids kept in the value, in the order they were uploaded; a parent may also set ids (an example).
  const known = new Map(uploads.filter((u) => u.id).map((u) => [u.id!, u]));
  const update = (key: number, patch: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  // The value seen by the latest upload to finish: uploads resolve one by one, each adding its id.
  let current = value;
  const pick = async (list: FileList | null) => {
    if (!list || !agent) return;
    const picked = [...list].slice(0, Math.max(0, maxCount - value.length));
    const fresh: Upload[] = picked.map((f) => ({
      key: ++uploadKey,
      name: f.name,
      size: f.size,
      state: 'uploading',
    }));
    setUploads((u) => [...u.filter((x) => x.state !== 'failed'), ...fresh]);
    await Promise.all(
      picked.map(async (file, i) => {
        const u = fresh[i]!;
        if (maxBytes !== undefined && file.size > maxBytes) {
          update(u.key, { state: 'failed', error: `is larger than ${bytes(maxBytes)}` });
          return;
        }
        try {
          const uploaded = await api.files.upload(file, { name: safeName(file.name), agent, field: name });
          update(u.key, { state: 'done', id: uploaded.id });
          current = [...current, uploaded.id];
          onChange(current);
        } catch (error) {
          update(u.key, { state: 'failed', error: describeError(error) });
        }
      }),
    );
  };

  const remove = (id: string) => {
    onChange(value.filter((x) => x !== id));
    setUploads((u) => u.filter((x) => x.id !== id));
  };

  const uploading = uploads.filter((u) => u.state === 'uploading');
  const failed = uploads.filter((u) => u.state === 'failed');
  return (
    <div className="file-input">
      <input
        {...common}
        required={common.required && value.length === 0}
        type="file"
        accept={accept || undefined}
        multiple={maxCount > 1}
        disabled={common.disabled || !agent || value.length + uploading.length >= maxCount}
        onChange={(e) => {
          const target = e.currentTarget;
          void pick(target.files).finally(() => {
            target.value = '';
          });
        }}
      />
      <ul className="file-list" aria-live="polite">
        {value.map((id) => {
          const u = known.get(id);
          return (
            <li key={id}>
              <span>{u ? `${u.name} (${bytes(u.size)})` : id}</span>{' '}
              <button
                type="button"
                className="link-button"
                disabled={common.disabled}
                onClick={() => remove(id)}
                aria-label={`Remove ${u?.name ?? id}`}
              >
                Remove
              </button>
            </li>
          );
        })}
        {uploading.map((u) => (
          <li key={u.key}>
            <progress aria-label={`Uploading ${u.name}`} /> Uploading {u.name} ({bytes(u.size)})…
          </li>
        ))}
        {failed.map((u) => (
          <li key={u.key} className="field-error">
            {u.name} was not uploaded: {u.error}
          </li>
        ))}
      </ul>
    </div>
  );
}
