/** The manifest as JSON text, edited by hand (the "Manifest" tab). */
export function ManifestEditor({
  text,
  invalid,
  onChange,
}: {
  text: string;
  invalid: boolean;
  onChange: (text: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor="manifest-text">Manifest (JSON)</label>
      <textarea
        id="manifest-text"
        className="manifest-editor"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        rows={28}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid}
        aria-describedby="validation-status"
      />
      <small className="muted">
        The format is described by <a href="/schemas/agent-manifest.json">its JSON Schema</a>.
      </small>
    </div>
  );
}
