/**
 * A child process for the lock race: waits for the given instant (so two
 * children open at the same millisecond), opens the embedded store, prints
 * {"won":true} or the error's code and message, and if it won holds the
 * store until its stdin closes.
 */
import { ChdbStore } from '../chdb-store.js';

const [dir, at] = process.argv.slice(2) as [string, string];
while (Date.now() < Number(at)) { /* spin: a timer would blur the start by a millisecond or more */ }
let store: ChdbStore;
try {
  store = new ChdbStore(dir);
} catch (e) {
  const err = e as { code?: string; message: string };
  process.stdout.write(`${JSON.stringify({ won: false, code: err.code ?? null, message: err.message })}\n`);
  process.exit(0);
}
process.stdout.write(`${JSON.stringify({ won: true })}\n`);
process.stdin.resume();
process.stdin.on('end', () => { void store.close().then(() => process.exit(0)); });
