/** Every test file's turn (test/alone.ts): shared, or alone for the timing-bound suites. */
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll } from 'vitest';
import { claim, runsAlone } from './alone.js';

let release: (() => void) | undefined;
// Claims are per process: under a threads pool every file would share one pid, so nothing is claimed
// there. The hook may wait for the files before it: its timeout is a cap (the whole run takes
// ~14 minutes), and a wait past 2 minutes says who holds the turn.
beforeAll(async (file) => {
  const dir = process.env.FLOWLOG_TEST_CLAIMS;
  if (!isMainThread || !dir) return;
  release = await claim(runsAlone('filepath' in file ? file.filepath : ''), dir);
}, 3_600_000);
afterAll(() => release?.());
