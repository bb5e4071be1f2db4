/** Where tests find things outside the source tree. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The public conformance corpus (Elastic's expected outputs) sits beside the
 * project as ../shared/conformance, or where FLOWLOG_CONFORMANCE_DIR says. A
 * plain clone has none: its suites are not run, and say so. With
 * FLOWLOG_CONFORMANCE_REQUIRED=1 (CI) a missing corpus throws, which fails the suite.
 */
export function conformanceCorpus(env: NodeJS.ProcessEnv = process.env): { dir: string; present: boolean } {
  const dir = env.FLOWLOG_CONFORMANCE_DIR ?? resolve(REPO_ROOT, '../shared/conformance');
  const present = existsSync(dir);
  const where = `it must sit beside the project as ../shared/conformance (or set FLOWLOG_CONFORMANCE_DIR)`;
  if (!present && env.FLOWLOG_CONFORMANCE_REQUIRED === '1') {
    throw new Error(`conformance corpus not found at ${dir}, and FLOWLOG_CONFORMANCE_REQUIRED=1: ${where}`);
  }
  if (!present) console.warn(`conformance corpus not found at ${dir}: the Elastic conformance suites are not run (${where}; FLOWLOG_CONFORMANCE_REQUIRED=1 makes this an error)`);
  return { dir, present };
}
