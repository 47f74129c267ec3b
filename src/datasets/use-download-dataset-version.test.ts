/** Unit tests of the file names downloaded versions get. */
import { describe, expect, it } from 'vitest';
import { versionFileName } from './use-download-dataset-version.ts';

describe('versionFileName', () => {
  it('names the dataset and the version', () => {
    expect(versionFileName('assay_results', 3)).toBe('assay_results-v3.arrows');
  });

  it('replaces characters a file name should not hold', () => {
    expect(versionFileName('Kinase screen / 2025: run #1', 1)).toBe(
      'Kinase-screen-2025-run-1-v1.arrows',
    );
    expect(versionFileName('../../etc', 2)).toBe('etc-v2.arrows');
    expect(versionFileName('///', 1)).toBe('dataset-v1.arrows');
  });
});
