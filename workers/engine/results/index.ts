/**
 * Results that plugins hand back: checked and labelled (`readResult`), then added to a table as
 * a new table that shares the old one's columns (`joinColumns`). See README.md.
 */
export {
  checkResultSize,
  readResult,
  RESULT_LIMITS,
  type ReadResultOptions,
} from './read-result.ts';
export { joinColumns } from './join-columns.ts';
