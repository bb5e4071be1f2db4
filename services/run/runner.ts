/**
 * `flowlog run --config FILE`: the configured sources, continuously, until
 * SIGTERM/SIGINT. Shutdown drains: each Kafka consumer finishes the batch in
 * hand (stored, then committed) before leaving its group, polling loops stop
 * between rounds, and the store closes last.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { readFileSync } from 'node:fs';
import type { FlowlogConfig, KafkaSourceConfig, S3ConnectionConfig, S3SourceConfig } from '../../schemas/config.js';
import { durationMs } from '../../schemas/common.js';
import { readPemFile, readSecret } from '../config/load-config.js';
import { ingestObjects, ingestPath, type IngestOptions, type IngestSummary } from '../pipeline/ingest.js';
import { standardMetrics, type Metrics } from '../telemetry/metrics.js';
import { compileLogFormat } from '../parse/aws/log-format.js';
import { makeS3Client } from '../sources/s3/client.js';
import { parseS3Uri, s3Source, type S3Object } from '../sources/s3/s3-source.js';
import { listsByDay } from '../sources/s3/key-date.js';
import { nextCursor, pollFrom, readCursor, writeCursor } from '../sources/s3/poll-cursor.js';
import { KafkaIngest } from '../sources/kafka/kafka-ingest.js';
import { openEnricher } from '../enrich/open.js';
import { scheduleDetectors, scheduleReports } from './schedules.js';
import { enrichPlan, withPolicy } from '../enrich/settings.js';
import { resolve } from 'node:path';
import { ClickHouseServerStore } from '../store/clickhouse-server-store.js';
import { openConfiguredStore } from '../store/open.js';
import type { FlowStore } from '../store/store.js';

const log = (event: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), event, ...fields })}\n`);


/**
 * One S3 round: a backfill lists its range; a poll lists from its durable
 * cursor (poll-cursor.ts) and moves the cursor after the round.
 */
async function s3Round(store: FlowStore, src: S3SourceConfig, where: string, opts: IngestOptions): Promise<IngestSummary> {
  const { bucket, prefix } = parseS3Uri(src.uri);
  const poll = src.mode === 'poll';
  const cursorKey = `${src.name}:${src.uri}`;
  const cursor = poll ? await readCursor(store, cursorKey) : null;
  const from = poll ? pollFrom(prefix, src.from, cursor, durationMs(src.poll_lookback)) : src.from;
  const client = s3Client(src, where);
  try {
    const source = s3Source(client, { bucket, prefix, ...(from ? { from } : {}), ...(src.to ? { to: src.to } : {}) });
    let listed: S3Object[] = [];
    const s = await ingestObjects(store, { ...source, list: async () => (listed = await source.list()) }, opts);
    if (poll && listsByDay(prefix)) {
      const unfinished = new Set(s.unfinished.map((u) => u.object));
      const next = nextCursor(listed.map((o) => o.key), listed.filter((o) => unfinished.has(o.name)).map((o) => o.key), cursor);
      if (next && next.getTime() !== cursor?.getTime()) await writeCursor(store, cursorKey, next);
    }
    return s;
  } finally { client.destroy(); }
}

function s3Client(c: S3ConnectionConfig, where: string) {
  return makeS3Client({
    ...(c.endpoint ? { endpoint: c.endpoint } : {}), region: c.region, forcePathStyle: c.path_style ?? Boolean(c.endpoint),
    ...(c.ca_file ? { ca: readPemFile(c.ca_file, `${where}.ca_file`) } : {}),
    ...(c.access_key && c.secret_key ? { accessKeyId: readSecret(c.access_key, `${where}.access_key`), secretAccessKey: readSecret(c.secret_key, `${where}.secret_key`) } : {}),
  });
}

export function kafkaConfig(c: KafkaSourceConfig, where: string): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId'> {
  const ssl = c.tls?.enabled ? {
    rejectUnauthorized: c.tls.reject_unauthorized,
    ...(c.tls.ca_file ? { ca: [readFileSync(c.tls.ca_file, 'utf8')] } : {}),
    ...(c.tls.cert_file ? { cert: readFileSync(c.tls.cert_file, 'utf8') } : {}),
    ...(c.tls.key_file ? { key: readFileSync(c.tls.key_file, 'utf8') } : {}),
  } : undefined;
  const sasl = c.sasl ? { mechanism: c.sasl.mechanism, username: c.sasl.username, password: readSecret(c.sasl.password, `${where}.sasl.password`) } as SASLOptions : undefined;
  return { brokers: c.brokers, clientId: `flowlog-${c.name}`, ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

export interface Running { stop(): Promise<void>; done: Promise<void>; metrics: Metrics; reloadIpam?: () => Promise<unknown> }

/** `baseDir`: the config file's folder, against which relative paths in it (IPAM files) are read. */
export async function runConfigured(cfg: FlowlogConfig, baseDir = process.cwd()): Promise<Running> {
  process.env.FLOWLOG_BATCH_ROWS = String(cfg.batch.rows); // bridge until the pipeline and Kafka take batch.rows as their capacity
  const metrics = standardMetrics();
  metrics.set('flowlog_store_waiting', {}, 0);
  const kafkaSources: KafkaIngest[] = [];
  // a failing store pauses every Kafka source; each resumes when it stores a round again
  const store = openConfiguredStore(cfg, metrics, () => { for (const k of kafkaSources) k.backpressure(true); });
  await store.migrate();
  let stopping = false;
  const stops: (() => Promise<void>)[] = [];
  const loops: Promise<void>[] = [];
  // polling loops sleep here; stop() wakes them, so SIGTERM never waits out a poll interval
  const sleepers = new Set<() => void>();
  const sleep = (msDelay: number) => new Promise<void>((resolve) => {
    const wake = () => { clearTimeout(t); sleepers.delete(wake); resolve(); };
    const t = setTimeout(wake, msDelay);
    sleepers.add(wake);
  });
  // one ping, no retries: a health check must answer now, above all while the store is down
  metrics.healthy = async () => {
    try {
      const up = store instanceof ClickHouseServerStore ? await store.ping() : (await store.queryRows('SELECT 1 AS ok'), true);
      return { ok: up && !stopping, detail: { store: up ? 'ok' : 'unreachable' } };
    } catch (e) { return { ok: false, detail: { store: (e as Error).message } }; }
  };
  const enrich = await openEnricher(withPolicy(cfg.enrich ? enrichPlan(cfg.enrich, baseDir) : null, cfg.policy ? resolve(baseDir, cfg.policy.file) : undefined), {
    store, watch: true,
    onReload: (o) => {
      metrics.inc('flowlog_ipam_reloads_total', { result: o.result });
      if (o.result === 'loaded') metrics.set('flowlog_ipam_entries', {}, o.entries);
      log(`ipam.${o.result}`, o.result === 'loaded' ? { version: o.version, entries: o.entries, problems: o.problems.length, ms: Math.round(o.ms) } : o);
    },
  });
  const server = cfg.metrics ? await metrics.listen(cfg.metrics.listen) : null;
  for (const [i, src] of cfg.sources.entries()) {
    const where = `sources[${i}]`;
    const labels = { source: src.name };
    metrics.set('flowlog_source_up', labels, 1);
    const logFormat = src.log_format ? compileLogFormat(src.log_format) : undefined;
    const onBatch = (rows: number, seconds: number) => {
      metrics.observe('flowlog_batch_rows', labels, rows);
      metrics.observe('flowlog_insert_seconds', labels, seconds);
    };
    if (src.kind === 'kafka') {
      let last = { messages: 0, rows: 0, rejected: 0, batches: 0, s3Objects: 0, skippedMessages: 0 };
      const k = new KafkaIngest(store, {
        kafka: kafkaConfig(src, where), topics: src.topics, groupId: src.group_id, sessionTimeoutMs: durationMs(src.session_timeout),
        ...(logFormat ? { logFormat } : {}), ...(src.s3 ? { s3: s3Client(src.s3, `${where}.s3`) } : {}), enrich,
        onRound: (r) => {
          metrics.set('flowlog_consumer_lag', { source: src.name, partition: r.partition }, r.lag);
          metrics.inc('flowlog_round_seconds_total', labels, r.seconds);
          metrics.inc('flowlog_rounds_total', labels);
          metrics.set('flowlog_store_waiting', {}, 0); // a round got through: the store answers again
        },
        onBatch,
        onBackpressure: (paused) => {
          metrics.set('flowlog_backpressure', labels, paused ? 1 : 0);
          log(paused ? 'source.paused' : 'source.resumed', { source: src.name, reason: 'store' });
        },
        onStored: (s) => {
          metrics.inc('flowlog_messages_total', labels, s.messages - last.messages);
          metrics.inc('flowlog_flows_stored_total', labels, s.rows - last.rows);
          metrics.inc('flowlog_records_rejected_total', labels, s.rejected - last.rejected);
          metrics.inc('flowlog_batches_total', labels, s.batches - last.batches);
          last = { ...s };
        },
      });
      metrics.set('flowlog_backpressure', labels, 0);
      kafkaSources.push(k);
      await k.start();
      log('source.started', { source: src.name, kind: 'kafka', topics: src.topics });
      stops.push(() => k.stop());
    } else {
      const opts = { ...(logFormat ? { logFormat } : {}), onBatch, enrich };
      const once = async () => {
        const s = src.kind === 'local' ? await ingestPath(store, src.path, opts) : await s3Round(store, src, where, opts);
        metrics.inc('flowlog_flows_stored_total', labels, s.rows);
        metrics.inc('flowlog_records_rejected_total', labels, s.rejected);
        metrics.inc('flowlog_objects_total', labels, s.objects);
        log('source.round', { source: src.name, objects: s.objects, skipped: s.skipped, rows: s.rows, rejected: s.rejected, unfinished: s.unfinished.length });
        // left for the next round (poll) or the next run: the ledger has them as unfinished
        for (const u of s.unfinished) log('source.unfinished', { source: src.name, object: u.object, reason: u.reason });
        metrics.inc('flowlog_objects_unfinished_total', labels, s.unfinished.length);
      };
      const poll = src.kind === 's3' && src.mode === 'poll' ? durationMs(src.poll_interval) : 0;
      loops.push((async () => {
        // the ledger is the durable cursor: each round lists the prefix and skips what is stored
        do {
          await once();
          if (poll && !stopping) await sleep(poll);
        } while (poll && !stopping);
        metrics.set('flowlog_source_up', labels, 0);
      })());
    }
  }
  const crons = [...(cfg.detect ? scheduleDetectors(store, cfg.detect, metrics) : []), ...scheduleReports(store, cfg.reports)];
  const done = Promise.all(loops).then(() => undefined);
  return {
    metrics,
    done,
    ...(enrich.reloadNow ? { reloadIpam: enrich.reloadNow.bind(enrich) } : {}),
    stop: async () => {
      stopping = true;
      log('shutdown.started');
      for (const wake of [...sleepers]) wake();
      for (const c of crons) c.stop();
      for (const s of stops) await s();
      await done;
      enrich.stop();
      await store.close();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      log('shutdown.done');
    },
  };
}
