/** A test file's stand-in for alone.test.ts: claims its turn in a folder, says so, holds until told to go. */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { claim } from './alone.js';

const [dir, name, kind] = process.argv.slice(2) as [string, string, 'alone' | 'shared'];
const log = (what: string) => appendFileSync(join(dir, '..', 'events'), `${name} ${what}\n`);
const release = await claim(kind === 'alone', dir);
log('hold');
while (!existsSync(join(dir, '..', `go-${name}`))) await new Promise((r) => setTimeout(r, 20));
log('free');
release();
