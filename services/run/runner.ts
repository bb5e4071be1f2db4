/**
 * `flowlog run --config FILE`: the configured sources, continuously, until
 * SIGTERM/SIGINT. Shutdown drains: each Kafka consumer finishes the batch in
 * hand (stored, then committed) before leaving its group, polling loops stop
 * between rounds, and the store closes last.
 *
 * Supervision: every source, the IPAM reload, the detector runs and each
 * report delivery report their failures with a code (log line, and
 * flowlog_errors_total{component,code}), try again with backoff, and show in
 * /healthz; a failed source is flowlog_source_up 0 while the others keep
 * storing. /healthz answers 503 only when the store is down or every source is.
 */
import { resolve } from 'node:path';
import type { FlowlogConfig } from '../../schemas/config.js';
import { openEnricher } from '../enrich/open.js';
import { enrichPlan, withPolicy } from '../enrich/settings.js';
import type { Source } from '../sources/source.js';
import { ClickHouseServerStore } from '../store/clickhouse-server-store.js';
import { openConfiguredStore } from '../store/open.js';
import { telemetryEvents } from '../telemetry/events.js';
import { standardMetrics, type Metrics } from '../telemetry/metrics.js';
import { FlowlogError } from '../core/errors.js';
import type { SourceHealth } from '../sources/source.js';
import { sharedStreams, warnOrphanedRounds, warnOverlaps } from './delivery-overlap.js';
import { storeTurn } from '../pipeline/store-turn.js';
import { HealthBoard, reporter } from './health.js';
import { claimLease, processHolder } from './lease.js';
import { InFlightJobs, scheduleDetectors, scheduleReports, type TickClaim } from './schedules.js';
import { kafkaSource, objectSource, sqsSource, type KafkaRunning } from './sources.js';

export interface Running { stop(): Promise<void>; done: Promise<void>; metrics: Metrics; reloadIpam?: () => Promise<unknown> }

/** `baseDir`: the config file's folder, against which relative paths in it (IPAM files) are read. */
export async function runConfigured(cfg: FlowlogConfig, baseDir = process.cwd()): Promise<Running> {
  const [dup] = sharedStreams(cfg.sources, cfg.store.kind === 'embedded');
  if (dup) {
    throw new FlowlogError('CONFIG_INVALID', `sources "${dup[0]}" and "${dup[1]}" read the same SQS queue or poll the same S3 prefix`,
      'keep one of them: on the embedded store their rounds would share one numbering in the ledger (one source per queue, one poll per prefix)');
  }
  const metrics = standardMetrics();
  /** This process in the leases table: who runs a scheduled tick, who polls a prefix. */
  const holder = processHolder();
  const events = telemetryEvents(metrics);
  metrics.set('flowlog_store_waiting', {}, 0);
  const kafka: KafkaRunning[] = [];
  // a failing store pauses every Kafka source; each resumes when it stores a round again
  const store = openConfiguredStore(cfg, events, () => { for (const k of kafka) k.backpressure(true); });
  await store.migrate();
  let stopping = false;
  const sources: Source[] = [];
  const board = new HealthBoard();
  // a role decides what runs here (docs/operations.md#roles): ingest the sources, detect the schedules, all both
  const ingests = cfg.role !== 'detect', schedules = cfg.role !== 'ingest';
  metrics.set('flowlog_role', { role: cfg.role }, 1);
  // the enricher serves ingest alone: a detect instance reads what ingest instances stored
  const enrichOn = ingests && Boolean(cfg.enrich || cfg.policy);
  const up = (h: SourceHealth) => (h.state === 'running' || h.state === 'waiting' || h.state === 'starting' || h.state === 'standby' ? 1 : 0);
  // one ping, no retries: a health check must answer now, above all while the store is down
  metrics.healthy = async () => {
    const health = sources.map((s) => [s.name, s.health()] as const);
    // a failing source among working ones is shown, not fatal: the others keep storing
    const allDown = health.length > 0 && health.every(([, h]) => h.state === 'failed');
    const parts = {
      role: cfg.role,
      ...(ingests ? { sources: Object.fromEntries(health) } : {}),
      ...(enrichOn ? { ipam: board.get('ipam') ?? { state: 'pending' } } : {}),
      ...(schedules && cfg.detect ? { detect: board.get('detect') ?? { state: 'pending' } } : {}),
      ...(schedules && cfg.reports.length ? { reports: Object.fromEntries(cfg.reports.map((r) => [r.name, board.get(`report:${r.name}`) ?? { state: 'pending' }])) } : {}),
    };
    let storeUp: boolean, storeHealth: Record<string, unknown>;
    try {
      storeUp = store instanceof ClickHouseServerStore ? await store.ping() : (await store.queryRows('SELECT 1 AS ok'), true);
      storeHealth = storeUp ? { state: 'ok' } : { state: 'unreachable' };
    } catch (e) {
      storeUp = false;
      storeHealth = { state: 'unreachable', error: { code: e instanceof FlowlogError ? e.code : 'STORE_QUERY_FAILED', message: (e as Error).message } };
    }
    return { ok: storeUp && !allDown && !stopping, detail: { store: storeHealth, ...parts } };
  };
  const enrich = await openEnricher(withPolicy(enrichOn && cfg.enrich ? enrichPlan(cfg.enrich, baseDir) : null, enrichOn && cfg.policy ? resolve(baseDir, cfg.policy.file) : undefined), {
    store, watch: true,
    onReload: (o) => {
      events.ipamReload(o);
      if (o.result === 'rejected') board.failed('ipam', new FlowlogError('IPAM_INVALID', `IPAM reload rejected, the version in use stays: ${o.error}`));
      else board.ok('ipam');
    },
  });
  const server = cfg.metrics ? await metrics.listen(cfg.metrics.listen) : null;
  const deps = {
    store, enrich, events, batchRows: cfg.batch.rows, limits: cfg.limits, holder,
    onHealth: (source: string, h: SourceHealth) => { if (!stopping) metrics.set('flowlog_source_up', { source }, up(h)); },
  };
  if (ingests) warnOverlaps(cfg.sources, store.kind === 'embedded');
  const built = (ingests ? cfg.sources : []).map((src, i) => {
    const where = `sources[${i}]`;
    const source = src.kind === 'kafka' ? kafkaSource(src, where, deps) : src.kind === 'sqs' ? sqsSource(src, where, deps) : objectSource(src, where, deps);
    if (src.kind === 'kafka') { kafka.push(source as KafkaRunning); metrics.set('flowlog_backpressure', { source: src.name }, 0); }
    sources.push(source);
    return { src, source };
  });
  if (ingests && store.kind === 'embedded') await warnOrphanedRounds(store, storeTurn(store).streams);
  // all at once: a source whose server does not answer (a Kafka client's connect retries take
  // seconds) must not hold back the start of the others
  await Promise.all(built.map(async ({ src, source }) => {
    if (src.kind !== 'kafka') events.sourceStarted({ source: src.name, kind: src.kind });
    await source.start(); // never throws for a source's fault: it is retried, and health() says so
    metrics.set('flowlog_source_up', { source: src.name }, up(source.health()));
    void source.done.then(() => { if (src.kind !== 'kafka') events.sourceStopped({ source: src.name }); });
  }));
  const jobs = new InFlightJobs();
  // every tick is claimed in the store first: of several instances on one store, one runs it
  const claim: TickClaim = async (job, tick) => {
    const at = tick.toISOString();
    const winner = await claimLease(store, `schedule:${job}`, at, holder);
    events.scheduleClaim({ job, tick: at, won: winner === holder, holder: winner });
    return winner === holder;
  };
  const crons = schedules ? [
    ...(cfg.detect ? scheduleDetectors(store, cfg.detect, metrics, jobs, reporter(board, 'detect'), claim) : []),
    ...scheduleReports(store, cfg.reports, metrics, jobs, (name) => reporter(board, `report:${name}`), claim),
  ] : [];
  const done = Promise.all(sources.filter((s) => s.kind !== 'kafka').map((s) => s.done)).then(() => undefined);
  return {
    metrics,
    done,
    ...(enrich.reloadNow ? { reloadIpam: enrich.reloadNow.bind(enrich) } : {}),
    stop: async () => {
      stopping = true;
      events.shutdown('started');
      for (const c of crons) c.stop();
      // a report or detector run in hand ends (its webhook posts aborted) before the store closes
      if (!await jobs.settle()) events.error({ component: 'run', error: new Error('scheduled detector or report runs still going after 10 s: stopping without them') });
      for (const s of sources) {
        try { await s.stop(); } catch (e) { events.error({ component: 'source', error: e, source: s.name }); }
      }
      enrich.stop();
      await store.close();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      events.shutdown('done');
    },
  };
}
