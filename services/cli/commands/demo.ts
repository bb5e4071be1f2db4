/**
 * `npm start`: the first minutes. Generates a demo dataset once (cached under
 * the data dir), ingests it on the embedded store with a progress bar, and
 * prints what the data says, enriched with the matching IPAM and inventory
 * (flows by owner and segment). A second run skips both steps via the ledger.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../generate/index.js';
import { writeInventory } from '../../generate/inventory-writer.js';
import { openEnricher } from '../../enrich/open.js';
import { loadEnrichFile } from '../../enrich/settings.js';
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
  // the estate's inventory and IPAM, as users export them (derived from the seed: cheap to write again)
  const ipamDir = join(dataDir, 'demo-ipam');
  if (!existsSync(join(ipamDir, 'enrich.yaml'))) await writeInventory(ipamDir, 42);
  const store = await openStore({ dataDir });
  const enrich = await openEnricher(loadEnrichFile(join(ipamDir, 'enrich.yaml')), { store })
    .catch(async (e: Error) => { await store.close(); throw e; });
  try {
    process.stdout.write(`Enriching with the demo IPAM in ${ipamDir} (AWS/Azure inventory, static IPAM, provider ranges): version ${enrich.version}\n`);
    const bar = new Progress('ingest');
    const summary = await ingestPath(store, demoDir, {
      enrich,
      onProgress: (p) => bar.update(p.bytesDone, p.bytes, `${fmtInt(p.rows)} flows`),
    });
    bar.done(`${fmtInt(summary.rows)} flows, ${fmtInt(summary.rejected)} rejected`);
    await printIngestSummary(store, summary, 'npm run flowlog --', { enrichFile: join(ipamDir, 'enrich.yaml') });
  } finally {
    enrich.stop();
    await store.close();
  }
  return 0;
}
