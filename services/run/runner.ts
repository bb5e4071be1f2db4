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
import type { IngestSummary } from '../pipeline/ingest.js';
import { ObjectRounds } from '../pipeline/object-rounds.js';
import type { Source } from '../sources/source.js';
import { listLocalObjects, readLocalObject } from '../sources/local.js';
import { standardMetrics, type Metrics } from '../telemetry/metrics.js';
import { compileLogFormat } from '../parse/aws/log-format.js';
import { makeS3Client } from '../sources/s3/client.js';
import { parseS3Uri, s3Source } from '../sources/s3/s3-source.js';
import { KafkaIngest } from '../pipeline/kafka-ingest.js';
import { openEnricher } from '../enrich/open.js';
import { scheduleDetectors, scheduleReports } from './schedules.js';
import { enrichPlan, withPolicy } from '../enrich/settings.js';
import { resolve } from 'node:path';
import { ChdbStore } from '../store/chdb-store.js';
import { ClickHouseServerStore } from '../store/clickhouse-server-store.js';
import type { FlowStore } from '../store/store.js';
import { errorFields, log as rootLog } from '../telemetry/log.js';

const log = (event: string, fields: Record<string, unknown> = {}) => rootLog.info(event, fields);


export function openConfiguredStore(cfg: FlowlogConfig, metrics?: Metrics, onWaiting?: () => void): FlowStore {
  const s = cfg.store;
  if (s.kind === 'embedded') return new ChdbStore(s.data_dir);
  return new ClickHouseServerStore({
    url: s.url, ...(s.user ? { username: s.user } : {}),
    ...(s.tls ? { tls: { caCert: readPemFile(s.tls.ca_file, 'store.tls.ca_file'),
      ...(s.tls.cert_file && s.tls.key_file ? { cert: readPemFile(s.tls.cert_file, 'store.tls.cert_file'), key: readPemFile(s.tls.key_file, 'store.tls.key_file') } : {}) } } : {}), ...(s.password ? { password: readSecret(s.password, 'store.password') } : {}), ...(s.database ? { database: s.database } : {}),
    // a running service waits out a store outage (transient errors only), saying so, instead of dropping work
    retry: {
      attempts: Number.MAX_SAFE_INTEGER, baseMs: 200, maxMs: 5_000,
      onRetry: (e, attempt, waitMs) => {
        metrics?.set('flowlog_store_waiting', {}, 1);
        onWaiting?.();
        log('store.retry', { attempt, wait_ms: Math.round(waitMs), error: (e as Error).message.slice(0, 200) });
      },
    },
  });
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
  const metrics = standardMetrics();
  metrics.set('flowlog_store_waiting', {}, 0);
  const kafkaSources: KafkaIngest[] = [];
  // a failing store pauses every Kafka source; each resumes when it stores a round again
  const store = openConfiguredStore(cfg, metrics, () => { for (const k of kafkaSources) k.backpressure(true); });
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
    store, watch: true,
    onReload: (o) => {
      metrics.inc('flowlog_ipam_reloads_total', { result: o.result });
      if (o.result === 'loaded') metrics.set('flowlog_ipam_entries', {}, o.entries);
      log(`ipam.${o.result}`, o.result === 'loaded' ? { version: o.version, entries: o.entries, problems: o.problems.length, ms: Math.round(o.ms) } : o);
    },
  });
  const server = cfg.metrics ? await metrics.listen(cfg.metrics.listen) : null;
  const batchRows = cfg.batch_rows;
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
        ...(batchRows ? { capacity: batchRows } : {}),
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
      sources.push({ name: src.name, kind: 'kafka', start: async () => undefined, stop: () => k.stop(), health: () => k.health(), done: new Promise<void>(() => undefined) });
    } else {
      const ingest = { ...(logFormat ? { logFormat } : {}), ...(batchRows ? { batchRows } : {}), onBatch, enrich };
      const onRound = (s: IngestSummary) => {
        metrics.inc('flowlog_flows_stored_total', labels, s.rows);
        metrics.inc('flowlog_records_rejected_total', labels, s.rejected);
        metrics.inc('flowlog_objects_total', labels, s.objects);
        log('source.round', { source: src.name, objects: s.objects, skipped: s.skipped, rows: s.rows, rejected: s.rejected, unfinished: s.unfinished.length });
        metrics.inc('flowlog_objects_unfinished_total', labels, s.unfinished.length);
      };
      let rounds: ObjectRounds;
      if (src.kind === 'local') {
        const path = src.path;
        rounds = new ObjectRounds(store, { name: src.name, kind: 'local', ingest, onRound,
          open: () => ({ source: { kind: 'local', list: () => listLocalObjects(path), fetch: readLocalObject } }) });
      } else {
        const { bucket, prefix } = parseS3Uri(src.uri);
        const poll = src.mode === 'poll';
        rounds = new ObjectRounds(store, {
          name: src.name, kind: 's3', ingest, onRound,
          open: (from) => {
            const client = s3Client(src, where);
            const since = poll ? from : src.from;
            return { source: s3Source(client, { bucket, prefix, ...(since ? { from: since } : {}), ...(src.to ? { to: src.to } : {}) }), close: () => client.destroy() };
          },
          ...(poll ? { intervalMs: durationMs(src.poll_interval),
            cursor: { key: `${src.name}:${src.uri}`, prefix, ...(src.from ? { from: src.from } : {}), lookbackMs: durationMs(src.poll_lookback) } } : {}),
        });
      }
      await rounds.start();
      void rounds.done.then(() => metrics.set('flowlog_source_up', labels, 0));
      sources.push(rounds);
    }
  }
  const crons = [...(cfg.detect ? scheduleDetectors(store, cfg.detect, metrics) : []), ...scheduleReports(store, cfg.reports)];
  const done = Promise.all(sources.filter((s) => s.kind !== 'kafka').map((s) => s.done)).then(() => undefined);
  return {
    metrics,
    done,
    ...(enrich.reloadNow ? { reloadIpam: enrich.reloadNow.bind(enrich) } : {}),
    stop: async () => {
      stopping = true;
      log('shutdown.started');
      for (const c of crons) c.stop();
      for (const s of sources) {
        try { await s.stop(); } catch (e) { rootLog.error('source.stop_failed', { source: s.name, ...errorFields(e) }); }
      }
      enrich.stop();
      await store.close();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      log('shutdown.done');
    },
  };
}
