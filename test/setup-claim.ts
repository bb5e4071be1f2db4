/** Every test file's turn (test/alone.ts): shared, or alone for the timing-bound suites. */
import { afterAll, beforeAll } from 'vitest';
import { claim, runsAlone } from './alone.js';

let release: (() => void) | undefined;
// the hook may wait for the files before it: its timeout is the whole run's, not a hook's
beforeAll(async (file) => {
  release = await claim(runsAlone('filepath' in file ? file.filepath : ''));
}, 3_600_000);
afterAll(() => release?.());
