/** The keys of an object, typed as its keys. */
export const keysOf = <T extends object>(o: T) => Object.keys(o) as (keyof T)[];

/** A fieldset of checkboxes, one per key of `options` (shown with its description), for a set of keys. */
export function CheckboxSet<K extends string>({
  legend,
  options,
  selected,
  onChange,
}: {
  legend: string;
  options: Record<K, string>;
  selected: Set<K>;
  onChange: (next: Set<K>) => void;
}) {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {keysOf(options).map((k) => (
        <label key={k} className="check-option">
          <input
            type="checkbox"
            checked={selected.has(k)}
            onChange={(e) => {
              const next = new Set(selected);
              if (e.target.checked) next.add(k);
              else next.delete(k);
              onChange(next);
            }}
          />
          <code>{k}</code> <span className="muted">{options[k]}</span>
        </label>
      ))}
    </fieldset>
  );
}
