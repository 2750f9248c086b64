import type { KeyboardEvent, ReactNode } from 'react';

/** The two ways to write an agent: the form, or its manifest in an editor. */
export type Tab = 'form' | 'editor';

/** A tab of the tablist, with the arrow, Home and End keys moving between the two. */
export function TabButton({
  id,
  current,
  onSelect,
  children,
}: {
  id: Tab;
  current: Tab;
  onSelect: (t: Tab) => void;
  children: ReactNode;
}) {
  const selected = id === current;
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const other: Tab = id === 'form' ? 'editor' : 'form';
    const target: Tab = e.key === 'Home' ? 'form' : e.key === 'End' ? 'editor' : other;
    onSelect(target);
    document.getElementById(`tab-${target}`)?.focus();
  };
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={selected}
      aria-controls={`panel-${id}`}
      tabIndex={selected ? 0 : -1}
      className={`tab ${selected ? 'tab-selected' : ''}`}
      onClick={() => onSelect(id)}
      onKeyDown={onKeyDown}
    >
      {children}
    </button>
  );
}

/** The panel a tab shows, hidden while another tab is selected. */
export function TabPanel({ id, current, children }: { id: Tab; current: Tab; children: ReactNode }) {
  return (
    <div
      role="tabpanel"
      id={`panel-${id}`}
      aria-labelledby={`tab-${id}`}
      hidden={id !== current}
      className="tab-panel"
    >
      {children}
    </div>
  );
}
