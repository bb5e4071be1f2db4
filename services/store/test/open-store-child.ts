/**
 * A child process for the lock race: says it is loaded ("ready"), reads the
 * instant to open at from its stdin (so two children open at the same
 * millisecond), opens the embedded store, prints {"won":true} or the error's
 * code and message, and if it won holds the store until its stdin closes.
 */
import { createInterface } from 'node:readline';
import { ChdbStore } from '../chdb-store.js';

const [dir] = process.argv.slice(2) as [string];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
const at = Number((await lines.next()).value);
while (Date.now() < at) { /* spin: a timer would blur the start by a millisecond or more */ }
let store: ChdbStore;
try {
  store = new ChdbStore(dir);
} catch (e) {
  const err = e as { code?: string; message: string };
  process.stdout.write(`${JSON.stringify({ won: false, code: err.code ?? null, message: err.message })}\n`);
  process.exit(0);
}
process.stdout.write(`${JSON.stringify({ won: true })}\n`);
// held until the parent closes stdin
while (!(await lines.next()).done) { /* nothing else is sent */ }
await store.close();
process.exit(0);
