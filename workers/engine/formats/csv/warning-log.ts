/**
 * Collects a load's warnings: it counts every one but keeps only the first 100, so a file with a
 * million ragged rows costs a counter, not a million messages. A warning whose message can only be
 * finished at the end (how many values of a column failed) keeps its slot and is rewritten then.
 */
import type { LoadWarning } from '../../protocol.ts';

/** How many warnings a load keeps; the rest are only counted. */
export const MAX_KEPT_WARNINGS = 100;

export class WarningLog {
  private readonly kept: LoadWarning[] = [];
  /** Every warning, kept or not. */
  count = 0;
  /** The line of the file's one `invalid-utf8` warning so far, and its slot. */
  private invalidUtf8Line = Infinity;
  private invalidUtf8Slot = -1;

  /** Whether the next warning would be kept, so callers can skip building its message. */
  get wantsMore(): boolean {
    return this.kept.length < MAX_KEPT_WARNINGS;
  }

  /**
   * Counts a warning and keeps it while fewer than 100 are kept; returns its slot, or -1.
   *
   * @example
   * const slot = log.add({ kind: 'renamed', line: 1, column: 'dose_2', message: '…' });
   */
  add(warning: LoadWarning): number {
    this.count++;
    if (this.kept.length >= MAX_KEPT_WARNINGS) return -1;
    this.kept.push(warning);
    return this.kept.length - 1;
  }

  /**
   * Reports bytes that are not UTF-8 on `line`. A load gives one such warning, naming the
   * earliest line: columns are read one after the other, so a later line may be found first.
   *
   * @example
   * log.invalidUtf8(line, () => ({ kind: 'invalid-utf8', line, message: '…' }));
   */
  invalidUtf8(line: number, warning: () => LoadWarning): void {
    if (line >= this.invalidUtf8Line) return;
    if (this.invalidUtf8Line === Infinity) this.invalidUtf8Slot = this.add(warning());
    else this.replace(this.invalidUtf8Slot, warning());
    this.invalidUtf8Line = line;
  }

  /**
   * Counts a warning without building it (used once 100 are kept).
   *
   * @example
   * if (!log.wantsMore) log.countOnly();
   */
  countOnly(): void {
    this.count++;
  }

  /**
   * Rewrites the warning in `slot` (from `add`), e.g. to give a final count.
   *
   * @example
   * log.replace(slot, { ...warning, message: '12 values …' });
   */
  replace(slot: number, warning: LoadWarning): void {
    if (slot >= 0) this.kept[slot] = warning;
  }

  /**
   * The kept warnings in file order (by line; warnings without a line first).
   *
   * @example
   * const { warnings } = { warnings: log.list() };
   */
  list(): LoadWarning[] {
    return this.kept.slice().sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
}
