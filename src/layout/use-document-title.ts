/** Hook that names the browser tab after the page shown, for tabs, history and screen readers. */
import { useEffect } from 'react';

/**
 * @example
 * useDocumentTitle('Data'); // the tab reads "Data · Enclave"
 */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Enclave`;
  }, [title]);
}
