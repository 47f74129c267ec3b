/** Sizes of files and dataset versions, in the unit that keeps the number short. */

const units = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/**
 * @example
 * formatByteSize(1536); // "1.5 KB"
 * formatByteSize(12); // "12 bytes"
 */
export function formatByteSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
