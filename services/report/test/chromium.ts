/** Debian's Chromium for the browser tests; its absence is a failure with the fix in the message, never a skip. */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export function requireChromium(path = CHROMIUM): string {
  if (!existsSync(path)) {
    throw new Error(`Chromium is not installed at ${path}: run \`apt-get install -y chromium\` (Debian's package; .ci/run installs it when missing)`);
  }
  return path;
}
