/** A button that copies a text to the clipboard and says, for a moment, that it did. */
import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

const labels: Record<CopyState, string> = {
  idle: 'Copy',
  copied: 'Copied',
  failed: 'Copy failed: select the text and copy it',
};

/**
 * @example
 * <CopyButton text={temporaryPassword} subject="temporary password" />
 */
export function CopyButton({ text, subject }: { text: string; subject: string }) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState('idle'), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="button button-small button-secondary"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      <span aria-live="polite">{labels[state]}</span>
      {state === 'idle' && <span className="visually-hidden"> {subject}</span>}
    </button>
  );
}
