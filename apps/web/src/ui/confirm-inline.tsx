import { useEffect, useRef, useState } from 'react';

/**
 * "Are you sure?" in place of the button that asked: the question, a focused confirm button (busy
 * while its action runs) and Cancel.
 */
export function ConfirmInline({
  question,
  confirm,
  onConfirm,
  onCancel,
}: {
  question: string;
  confirm: string;
  onConfirm: () => void | Promise<void>;
  onCancel: () => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    button.current?.focus();
  }, []);
  return (
    <fieldset className="confirm">
      <legend>{question}</legend>
      <div className="row">
        <button
          ref={button}
          type="button"
          className="danger button-small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onConfirm();
            } finally {
              setBusy(false);
            }
          }}
        >
          {confirm}
        </button>
        <button type="button" className="secondary button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}
