/**
 * A child for the release-pages test: opens the embedded store with the memory
 * section given as JSON, migrates it (where the store releases), releases again
 * by hand, then makes the engine work (an insert and a merge-free sum), and
 * prints the library's resident kB per mapping at each step.
 */
import { readFileSync } from 'node:fs';
import { ChdbStore } from '../chdb-store.js';
import { releaseStartupPages } from '../release-pages.js';

const [dir, memory] = process.argv.slice(2) as [string, string];
/** Resident kB and anonymous kB of each libchdb mapping, keyed by its permissions and file offset. */
function lib(): Record<string, { rss: number; anon: number }> {
  const out: Record<string, { rss: number; anon: number }> = {};
  let key: string | null = null;
  for (const l of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(l);
    if (head) { key = head[3]!.includes('libchdb') ? `${head[1]}@${head[2]}` : null; if (key) out[key] = { rss: 0, anon: 0 }; continue; }
    const f = /^(Rss|Anonymous):\s+(\d+) kB$/.exec(l);
    if (f && key) out[key]![f[1] === 'Rss' ? 'rss' : 'anon'] = Number(f[2]);
  }
  return out;
}
const store = new ChdbStore(dir, { memory: JSON.parse(memory) as object });
await store.queryRows('SELECT 1');
const started = lib();
await store.migrate();
const migrated = lib();
const again = releaseStartupPages();
const afterCall = lib();
await store.exec('CREATE TABLE t (n UInt64) ENGINE = MergeTree ORDER BY n');
await store.exec('INSERT INTO t SELECT number FROM numbers(1000000)');
const [row] = await store.queryRows<{ s: string; c: string }>('SELECT toString(sum(n)) AS s, toString(count()) AS c FROM t');
process.stdout.write(`${JSON.stringify({ started, migrated, again, afterCall, worked: lib(), sum: row?.s, count: row?.c })}\n`);
await store.close();
