/**
 * A button for a change that cannot be undone from here (delete, remove), or a weighty one that
 * destroys nothing (`tone: 'neutral'`, e.g. restoring a version): the first click asks, the
 * second does it. The question appears in place and takes the focus, so keyboard and
 * screen-reader users meet it too; Escape or "Cancel" puts the focus back on the button.
 */
import { useEffect, useRef, useState } from 'react';

interface ConfirmButtonProps {
  /** The button's visible text, e.g. "Delete". */
  label: string;
  /** What the change is about, read with the label by screen readers ("Delete Kinase screening"). */
  subject: string;
  /** The question shown after the first click. */
  question: string;
  /** The confirming button's text, e.g. "Delete project". */
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  /** `danger` (default) for what removes something; `neutral` for what only adds. */
  tone?: 'danger' | 'neutral';
}

export function ConfirmButton({
  label,
  subject,
  question,
  confirmLabel,
  onConfirm,
  pending = false,
  tone = 'danger',
}: ConfirmButtonProps) {
  const danger = tone === 'danger';
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const askedRef = useRef(false);
  useEffect(() => {
    if (asking) {
      askedRef.current = true;
      confirmRef.current?.focus();
    } else if (askedRef.current) {
      askedRef.current = false;
      // Gone when the confirmed change removed the row; then the focus stays where it falls.
      triggerRef.current?.focus();
    }
  }, [asking]);
  if (!asking) {
    return (
      <button
        ref={triggerRef}
        type="button"
        className={`button button-small ${danger ? 'button-danger-outline' : 'button-secondary'}`}
        onClick={() => setAsking(true)}
        disabled={pending}
      >
        {label}
        <span className="visually-hidden"> {subject}</span>
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={`Confirm: ${label} ${subject}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <span className="confirm-question">{question}</span>
      <button
        ref={confirmRef}
        type="button"
        className={`button button-small${danger ? ' button-danger' : ''}`}
        disabled={pending}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button
        type="button"
        className="button button-small button-secondary"
        onClick={() => setAsking(false)}
      >
        Cancel
      </button>
    </span>
  );
}
