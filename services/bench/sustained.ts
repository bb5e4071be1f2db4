/**
 * `npm run bench -- --sustained`: the large set ten times over (20M flows by
 * default) in one `flowlog ingest`, so background merges run while it
 * writes. Reports the rate over the first 5M and the last 5M flows (from the
 * ingest's own progress lines) and its memory over time (sampled from /proc).
 */
import { linkSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshStore, flowlogIngest } from './engine-compare.js';
import type { BenchFiles } from './dataset.js';
import { firstLastRates, progressPoints, thin } from './stats.js';
import type { RssSample } from './process-meter.js';

export interface SustainedResult {
  flows: number; seconds: number; firstRate: number; lastRate: number; peakRssMb: number | null; rss: RssSample[]; window: number;
}

/** `rounds` folders of the large set's objects (hard links where the disk allows): each round is new objects to flowlog. */
function roundsDir(files: BenchFiles, dir: string, rounds: number): string {
  rmSync(dir, { recursive: true, force: true });
  for (let r = 0; r < rounds; r++) {
    const sub = join(dir, `round-${String(r).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    for (const f of readdirSync(files.gzDir)) {
      try { linkSync(join(files.gzDir, f), join(sub, f)); } catch { copyFileSync(join(files.gzDir, f), join(sub, f)); }
    }
  }
  return dir;
}

export async function sustainedIngest(files: BenchFiles, scratch: string, rounds = 10, window = 5_000_000): Promise<SustainedResult> {
  const input = roundsDir(files, join(scratch, 'sustained-input'), rounds);
  const dataDir = join(scratch, 'sustained-store');
  await freshStore(dataDir);
  try {
    // text output on a pipe: a progress line per 10% with stored flows and seconds
    const m = await flowlogIngest(input, dataDir, { sampleMs: 500, text: true });
    const points = progressPoints(m.stderr);
    const flows = m.rows;
    if (flows !== files.lines * rounds) throw new Error(`sustained ingest stored ${flows} rows of ${files.lines * rounds}`);
    const { first, last } = firstLastRates(points, window);
    return { flows, seconds: m.seconds, firstRate: first, lastRate: last, peakRssMb: m.peakRssMb, rss: thin(m.samples, 10), window };
  } finally {
    rmSync(input, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
