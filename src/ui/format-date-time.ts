/** Dates as people read them in lists: the browser's locale, minutes precision. */

const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * @example
 * formatDateTime('2025-03-01T09:30:00Z'); // "1 Mar 2025, 10:30" (in Berlin, en-GB)
 */
export function formatDateTime(iso: string): string {
  return formatter.format(new Date(iso));
}
