/**
 * `npm start`: the first minutes. Generates a demo dataset once (cached under
 * the data dir), ingests it on the embedded store with a progress bar, and
 * prints what the data says. A second run skips both steps via the ledger.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../generate/index.js';
import { ingestPath } from '../../ingest/ingest.js';
import { defaultDataDir, openStore } from '../../store/open.js';
import { parseCli } from '../args.js';
import { Progress, fmtInt } from '../progress.js';
import { printIngestSummary } from '../summary.js';

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { flows: { type: 'string' } }, 'flowlog demo [--flows N]');
  const flows = Number(values.flows ?? 2_000_000);
  const dataDir = defaultDataDir();
  const demoDir = join(dataDir, 'demo-data');
  process.stdout.write(`flowlog demo: embedded ClickHouse store in ${dataDir}\n`);
  if (!existsSync(join(demoDir, 'manifest.json'))) {
    const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - 1));
    process.stdout.write(`Generating ${fmtInt(flows)} synthetic flows (AWS VPC v2 + v5, Azure NSG + VNet) into ${demoDir} ...\n`);
    const bar = new Progress('generate');
    await generate({ out: demoDir, flows, seed: 42, start, hours: 24, junk: 25, onProgress: (d, t) => bar.update(d, t) });
    bar.done();
  }
  const store = await openStore({ dataDir });
  try {
    const bar = new Progress('ingest');
    const summary = await ingestPath(store, demoDir, {
      onProgress: (p) => bar.update(p.bytesDone, p.bytes, `${fmtInt(p.rows)} flows`),
    });
    bar.done(`${fmtInt(summary.rows)} flows, ${fmtInt(summary.rejected)} rejected`);
    await printIngestSummary(store, summary, 'npm run flowlog --');
  } finally {
    await store.close();
  }
  return 0;
}
