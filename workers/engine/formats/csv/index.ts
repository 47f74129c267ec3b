/**
 * The CSV/TSV reader's contract: `readCsv` and its options. Everything else in this folder is
 * its inside (see README.md).
 */
export { readCsv } from './read-csv.ts';
export type { CsvDelimiter, CsvReadOptions, CsvReadResult } from './read-csv.ts';
