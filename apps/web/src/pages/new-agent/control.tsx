import type { ReactNode } from 'react';
import type { Issue } from './live-validation.ts';

/** The issues whose paths belong to a control, under it. */
export function Issues({ id, issues }: { id: string; issues: Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul id={id} className="field-issues">
      {issues.map((i) => (
        <li key={`${i.path} ${i.message}`}>
          <code>{i.path}</code> {i.message}
        </li>
      ))}
    </ul>
  );
}

/** A labelled control with its hint and its issues, tied together for screen readers. */
export function Control({
  id,
  label,
  hint,
  issues,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  issues: Issue[];
  children: (a11y: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : null, issues.length > 0 ? `${id}-issues` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field ${issues.length > 0 ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': issues.length > 0, 'aria-describedby': described || undefined })}
      {hint ? (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      ) : null}
      <Issues id={`${id}-issues`} issues={issues} />
    </div>
  );
}
