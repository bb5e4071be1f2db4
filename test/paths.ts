/** Where tests find things outside the source tree. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The public conformance corpus sits beside the project (../shared/conformance); a missing corpus fails, never skips. */
export function conformanceDir(): string {
  const dir = process.env.FLOWLOG_CONFORMANCE_DIR ?? resolve(REPO_ROOT, '../shared/conformance');
  if (!existsSync(dir)) throw new Error(`conformance corpus not found at ${dir}: it must sit beside the project as ../shared/conformance (or set FLOWLOG_CONFORMANCE_DIR)`);
  return dir;
}
