/**
 * `npm start`: the first minutes. Generates a demo dataset once (cached under
 * the data dir), ingests it on the embedded store with a progress bar, and
 * prints what the data says, enriched with the matching IPAM and inventory
 * (flows by owner and segment). A second run skips both steps via the ledger.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNoFollow } from '../../core/contained-files.js';
import { generate } from '../../generate/index.js';
import { writeInventory } from '../../generate/inventory-writer.js';
import { writeScenario } from '../../generate/scenario.js';
import { replayDetectors } from '../../detect/replay.js';
import { makeReport } from '../../report/make-report.js';
import type { FlowStore } from '../../store/store.js';
import { openEnricher } from '../../enrich/open.js';
import { loadEnrichFile, withPolicy } from '../../enrich/settings.js';
import { ingestPath } from '../../pipeline/ingest.js';
import { defaultDataDir, embeddedConfig, openStore } from '../../store/open.js';
import { intFlag, parseCli, SILENT_PROGRESS } from '../args.js';
import { Progress, fmtInt } from '../progress.js';
import { NPM_INVOCATION, printIngestSummary, printNextSteps } from '../summary.js';
import { queryTable } from '../result-table.js';

const DAYS = 8;
const DAY_MS = 86_400_000;
/**
 * The span the demo data was made for, written after the data and its
 * incidents (so its presence says both are whole), read by every later run:
 * the detectors' replay, the report and the investigate hint are then the
 * data's, not the current day's. A name the ingest skips, like the
 * generator's own files.
 */
const SPAN_FILE = '_demo-span.json';

/**
 * `start`: midnight (UTC) 8 days before the day the data was made; `hours`: up to the start of that hour, so
 * none of it is in the future and the last hours' windows of investigate and the saved queries find flows.
 * The incidents are placed in the last 2 whole days, at the UTC hours of the day the scenario names.
 */
interface DemoSpan { start: Date; hours: number }

function newSpan(now: number): DemoSpan {
  const hour = Math.floor(now / 3_600_000) * 3_600_000;
  const start = Math.floor(hour / DAY_MS) * DAY_MS - DAYS * DAY_MS;
  return { start: new Date(start), hours: (hour - start) / 3_600_000 };
}

/** The span's last 2 whole days, where the incidents are: what the detectors replay and the report and the hint start at. */
const incidentsFrom = (span: DemoSpan): Date => new Date(span.start.getTime() + (DAYS - 2) * DAY_MS);

/** The span a run made the data for; null when it is missing or unreadable (no whole data set yet: it is made again). */
function madeFor(spanFile: string): DemoSpan | null {
  try {
    const j = JSON.parse(readFileSync(spanFile, 'utf8')) as { start?: unknown; hours?: unknown };
    const start = new Date(j.start as string);
    return Number.isNaN(start.getTime()) || typeof j.hours !== 'number' || !(j.hours >= DAYS * 24) ? null : { start, hours: j.hours };
  } catch {
    return null;
  }
}

/** The last 2 whole days of the span: the detectors replayed over them (once: a re-run finds them in the anomaly store); the findings; the report up to the data's end. */
async function demoFindings(store: FlowStore, span: DemoSpan, fresh: boolean, dataDir: string, quiet: boolean): Promise<void> {
  const since = incidentsFrom(span), end = new Date(span.start.getTime() + DAYS * DAY_MS);
  if (fresh) {
    const bar = quiet ? SILENT_PROGRESS : new Progress('detect');
    await replayDetectors(store, since, end, 120, {}, (d, t) => bar.update(d, t));
    bar.done();
  }
  const out = (s: string) => { if (!quiet) process.stdout.write(`${s}\n`); };
  if (!quiet) out('Findings (the anomaly store, worst first, then the most recently seen):');
  // the summary's first parenthesis (a workload's subnet, service and owner: the owner has a column) gives way to
  // the amounts after it, which 100 characters otherwise cut off
  if (!quiet) out(await queryTable(store, `SELECT severity, status, detector, owner, substring(replaceRegexpOne(summary, ' \\\\([^)]*\\\\)', ''), 1, 100) AS summary FROM anomalies_current
    ORDER BY indexOf(['info', 'low', 'medium', 'high', 'critical'], severity) DESC, last_seen DESC LIMIT 12`));
  const until = new Date(span.start.getTime() + span.hours * 3_600_000);
  const r = await makeReport(store, { since, until, title: 'flowlog demo report', deliver: [{ dir: join(dataDir, 'demo-report') }] });
  out(`The demo report (HTML, Markdown, JSON) is in ${r.results[0]!.location}: open report.html in a browser.`);
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { flows: { type: 'string' }, quiet: { type: 'boolean' } }, 'flowlog demo [--flows N] [--quiet]', { flags: {
    flows: 'flows to generate the first time (default 2000000)', quiet: 'print nothing but errors (the store and the demo report are made all the same)' } });
  const quiet = Boolean(values.quiet);
  const say = (s: string) => { if (!quiet) process.stdout.write(s); };
  const flows = intFlag('flows', values.flows, 2_000_000, 1);
  const dataDir = defaultDataDir();
  const demoDir = join(dataDir, 'demo-data');
  say(`flowlog demo: embedded ClickHouse store in ${dataDir}\n`);
  const spanFile = join(demoDir, SPAN_FILE);
  const made = existsSync(join(demoDir, 'manifest.json')) ? madeFor(spanFile) : null;
  const span = made ?? newSpan(Date.now());
  if (!made) {
    say(`Generating ${fmtInt(flows)} synthetic flows over ${DAYS} days and today's hours (AWS VPC v2 + v5, Azure NSG + VNet), plus the injected incidents' flows, into ${demoDir} ...\n`);
    const bar = quiet ? SILENT_PROGRESS : new Progress('generate');
    await generate({ out: demoDir, flows, seed: 42, start: span.start, hours: span.hours, junk: 25, onProgress: (d, t) => bar.update(d, t) });
    await writeScenario(demoDir, 42, span.start, DAYS * 24, () => null);
    await writeNoFollow(spanFile, `${JSON.stringify({ start: span.start.toISOString(), hours: span.hours })}\n`);
    bar.done();
  }
  // the estate's inventory and IPAM, as users export them (derived from the seed: cheap to write again)
  const ipamDir = join(dataDir, 'demo-ipam');
  if (!existsSync(join(ipamDir, 'policy.yaml'))) await writeInventory(ipamDir, 42);
  const store = await openStore({ dataDir });
  const enrich = await openEnricher(withPolicy(loadEnrichFile(join(ipamDir, 'enrich.yaml')), join(ipamDir, 'policy.yaml')), { store })
    .catch(async (e: Error) => { await store.close(); throw e; });
  try {
    say(`Enriching with the demo IPAM in ${ipamDir} (AWS/Azure inventory, static IPAM, provider ranges): version ${enrich.version}\n`);
    const bar = quiet ? SILENT_PROGRESS : new Progress('ingest');
    const summary = await ingestPath(store, demoDir, {
      enrich, capacity: embeddedConfig().batch.rows,
      onProgress: (p) => bar.update(p.bytesDone, p.listed ? p.bytes : null, () => `${fmtInt(p.rows)} flows stored`),
    });
    bar.done(`${fmtInt(summary.rows)} flows, ${fmtInt(summary.rejected)} rejected`);
    if (!quiet) await printIngestSummary(store, summary, NPM_INVOCATION);
    await demoFindings(store, span, summary.objects > 0, dataDir, quiet);
    // back far enough to reach the biggest egress step (the day before yesterday's, on the day the data was made)
    const back = Math.ceil((Date.now() - incidentsFrom(span).getTime()) / DAY_MS);
    if (!quiet) printNextSteps(NPM_INVOCATION, { enrichFile: join(ipamDir, 'enrich.yaml'), findings: true, address: '10.10.11.40', since: `${back}d` });
  } finally {
    enrich.stop();
    await store.close();
  }
  return 0;
}
