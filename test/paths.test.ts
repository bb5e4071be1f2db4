/** Where the conformance corpus is looked for, and what its absence means. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { conformanceCorpus } from './paths.js';

describe('conformanceCorpus', () => {
  const here = mkdtempSync(join(tmpdir(), 'flowlog-corpus-'));
  const missing = join(here, 'absent');

  it('is present where FLOWLOG_CONFORMANCE_DIR points, required or not', () => {
    expect(conformanceCorpus({ FLOWLOG_CONFORMANCE_DIR: here })).toEqual({ dir: here, present: true });
    expect(conformanceCorpus({ FLOWLOG_CONFORMANCE_DIR: here, FLOWLOG_CONFORMANCE_REQUIRED: '1' })).toEqual({ dir: here, present: true });
  });

  it('absent: not present, and says so', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(conformanceCorpus({ FLOWLOG_CONFORMANCE_DIR: missing })).toEqual({ dir: missing, present: false });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`conformance corpus not found at ${missing}`));
    } finally { warn.mockRestore(); }
  });

  it('absent but required (CI): throws, naming the path and the fix', () => {
    expect(() => conformanceCorpus({ FLOWLOG_CONFORMANCE_DIR: missing, FLOWLOG_CONFORMANCE_REQUIRED: '1' }))
      .toThrow(new RegExp(`not found at ${missing}, and FLOWLOG_CONFORMANCE_REQUIRED=1: .*FLOWLOG_CONFORMANCE_DIR`));
  });
});
