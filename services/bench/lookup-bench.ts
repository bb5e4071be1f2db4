/**
 * Lookup throughput of the prefix table on one core, next to a naive Map per
 * prefix length measured in the same run on the same addresses (the first
 * thing one would write; it also cross-checks the answers).
 * Run alone: `npx tsx services/bench/lookup-bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { isV4Mapped } from '../core/ip.js';
import { makeAddresses, makePrefixes, maskOf, rng } from './lookup-data.js';
import { compilePrefixTable, type PrefixInput, type PrefixTable } from '../enrich/lookup/prefix-table.js';

const PREFIXES = 100_000;
const ADDRESSES = 2_000_000;
const NAIVE_ADDRESSES = 200_000;
const RUNS = 5;

export interface LookupBench {
  prefixes: number;
  lookups_per_sec_v4: number;
  lookups_per_sec_v6: number;
  compile_ms: number;
  bytes: number;
  naive_lookups_per_sec_v4: number;
  naive_lookups_per_sec_v6: number;
}

/**
 * The reference: one Map per prefix length, probed longest first; number keys
 * for IPv4, the masked words joined into a string for IPv6. Last listed wins.
 */
function naiveLookup(prefixes: PrefixInput[]) {
  const word = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  const key6 = (w: number[], len: number) => w.map((x, j) => (x & maskOf(len - 32 * j)) >>> 0).join(':');
  const m4 = new Map<number, Map<number, number>>(), m6 = new Map<number, Map<string, number>>();
  for (const p of prefixes) {
    if (p.len >= 96 && isV4Mapped(p.net, 0)) {
      if (!m4.has(p.len - 96)) m4.set(p.len - 96, new Map());
      m4.get(p.len - 96)!.set(word(p.net, 12), p.id);
    } else {
      if (!m6.has(p.len)) m6.set(p.len, new Map());
      m6.get(p.len)!.set(key6([0, 4, 8, 12].map((o) => word(p.net, o)), p.len), p.id);
    }
  }
  const byLen = <K>(m: Map<number, Map<K, number>>) => [...m.keys()].sort((a, b) => b - a).map((len) => ({ len, map: m.get(len)! }));
  const lens4 = byLen(m4), lens6 = byLen(m6);
  return (ips: Uint8Array, rows: number, out: Int32Array) => {
    for (let r = 0; r < rows; r++) {
      let id = -1;
      if (isV4Mapped(ips, r * 16)) {
        const a = word(ips, r * 16 + 12);
        for (const l of lens4) {
          const hit = l.map.get((a & maskOf(l.len)) >>> 0);
          if (hit !== undefined) { id = hit; break; }
        }
      } else {
        const w = [0, 4, 8, 12].map((o) => word(ips, r * 16 + o));
        for (const l of lens6) {
          const hit = l.map.get(key6(w, l.len));
          if (hit !== undefined) { id = hit; break; }
        }
      }
      out[r] = id;
    }
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rate(rows: number, run: () => void, runs: number): number {
  run(); // warm-up: lets the JIT settle before timing
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return Math.round(rows / (median(times) / 1000));
}

export async function benchLookups(log: (s: string) => void): Promise<LookupBench> {
  const r = rng(0xf10e);
  const prefixes = makePrefixes(r, PREFIXES);
  const compileTimes: number[] = [];
  let table: PrefixTable | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    table = compilePrefixTable(prefixes);
    compileTimes.push(performance.now() - t0);
  }
  const size = table!.size;
  const compile_ms = Math.round(median(compileTimes));
  log(`  prefix table: ${size.prefixes} prefixes -> ${size.v4Ranges} v4 + ${size.v6Ranges} v6 ranges, ${(size.bytes / 1048576).toFixed(1)} MiB, compile ${compile_ms} ms`);

  const nulls = new Uint8Array(ADDRESSES);
  const out = new Int32Array(ADDRESSES);
  const naive = naiveLookup(prefixes);
  const naiveOut = new Int32Array(NAIVE_ADDRESSES);
  const result = { v4: 0, v6: 0, naive4: 0, naive6: 0 };
  for (const fam of ['v4', 'v6'] as const) {
    const ips = makeAddresses(r, prefixes, fam === 'v4', ADDRESSES);
    const ours = rate(ADDRESSES, () => table!.lookupColumn(ips, nulls, ADDRESSES, out), RUNS);
    const ref = rate(NAIVE_ADDRESSES, () => naive(ips, NAIVE_ADDRESSES, naiveOut), 3);
    for (let i = 0; i < NAIVE_ADDRESSES; i++) {
      if (naiveOut[i] !== out[i]) throw new Error(`lookup ${fam} row ${i}: table ${out[i]} != reference ${naiveOut[i]}`);
    }
    let hits = 0;
    for (let i = 0; i < ADDRESSES; i++) if (out[i]! >= 0) hits++;
    log(`  ${fam}: ${ours.toLocaleString('en-US')} lookups/s (lookupColumn, ${ADDRESSES.toLocaleString('en-US')} addresses, ${Math.round((100 * hits) / ADDRESSES)}% matched); ` +
      `naive Map per length ${ref.toLocaleString('en-US')} lookups/s (x${(ours / ref).toFixed(1)})`);
    if (fam === 'v4') { result.v4 = ours; result.naive4 = ref; } else { result.v6 = ours; result.naive6 = ref; }
  }
  return {
    prefixes: size.prefixes, lookups_per_sec_v4: result.v4, lookups_per_sec_v6: result.v6, compile_ms, bytes: size.bytes,
    naive_lookups_per_sec_v4: result.naive4, naive_lookups_per_sec_v6: result.naive6,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const res = await benchLookups((s) => console.log(s));
  console.log(JSON.stringify(res));
}
