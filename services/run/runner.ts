/**
 * `flowlog run --config FILE`: the configured sources, continuously, until
 * SIGTERM/SIGINT. Shutdown drains: each Kafka consumer finishes the batch in
 * hand (stored, then committed) before leaving its group, polling loops stop
 * between rounds, and the store closes last.
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
import { InFlightJobs, scheduleDetectors, scheduleReports } from './schedules.js';
import { kafkaSource, objectSource, type KafkaRunning } from './sources.js';

export interface Running { stop(): Promise<void>; done: Promise<void>; metrics: Metrics; reloadIpam?: () => Promise<unknown> }

/** `baseDir`: the config file's folder, against which relative paths in it (IPAM files) are read. */
export async function runConfigured(cfg: FlowlogConfig, baseDir = process.cwd()): Promise<Running> {
  const metrics = standardMetrics();
  const events = telemetryEvents(metrics);
  metrics.set('flowlog_store_waiting', {}, 0);
  const kafka: KafkaRunning[] = [];
  // a failing store pauses every Kafka source; each resumes when it stores a round again
  const store = openConfiguredStore(cfg, events, () => { for (const k of kafka) k.backpressure(true); });
  await store.migrate();
  let stopping = false;
  const sources: Source[] = [];
  // one ping, no retries: a health check must answer now, above all while the store is down
  metrics.healthy = async () => {
    const detail: Record<string, unknown> = { sources: Object.fromEntries(sources.map((s) => [s.name, s.health()])) };
    try {
      const up = store instanceof ClickHouseServerStore ? await store.ping() : (await store.queryRows('SELECT 1 AS ok'), true);
      return { ok: up && !stopping, detail: { store: up ? 'ok' : 'unreachable', ...detail } };
    } catch (e) { return { ok: false, detail: { store: (e as Error).message, ...detail } }; }
  };
  const enrich = await openEnricher(withPolicy(cfg.enrich ? enrichPlan(cfg.enrich, baseDir) : null, cfg.policy ? resolve(baseDir, cfg.policy.file) : undefined), {
    store, watch: true, onReload: (o) => events.ipamReload(o),
  });
  const server = cfg.metrics ? await metrics.listen(cfg.metrics.listen) : null;
  const deps = { store, enrich, events, batchRows: cfg.batch.rows, limits: cfg.limits };
  for (const [i, src] of cfg.sources.entries()) {
    const where = `sources[${i}]`;
    const source = src.kind === 'kafka' ? kafkaSource(src, where, deps) : objectSource(src, where, deps);
    if (src.kind === 'kafka') { kafka.push(source as KafkaRunning); metrics.set('flowlog_backpressure', { source: src.name }, 0); }
    else events.sourceStarted({ source: src.name, kind: src.kind });
    await source.start();
    void source.done.then(() => { if (src.kind !== 'kafka') events.sourceStopped({ source: src.name }); });
    sources.push(source);
  }
  const jobs = new InFlightJobs();
  const crons = [...(cfg.detect ? scheduleDetectors(store, cfg.detect, metrics, jobs) : []), ...scheduleReports(store, cfg.reports, metrics, jobs)];
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
