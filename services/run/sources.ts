/**
 * The configured sources, built from the `sources:` section: each becomes a
 * Source (sources/source.ts) that `flowlog run` starts, supervises and stops
 * alike, wired to the pipeline and to the telemetry events.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { FlowlogError, httpStatusOf } from '../core/errors.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FlowlogConfig, KafkaSourceConfig, Limits, S3ConnectionConfig, SqsSourceConfig } from '../../schemas/config.js';
import { durationMs } from '../../schemas/common.js';
import type { BatchEnricher, StoredBatch } from '../commit/committer.js';
import type { RejectReason } from '../core/rejects.js';
import { readPemFile, readSecret } from '../config/load-config.js';
import { compileLogFormat } from '../parse/aws/log-format.js';
import type { IngestSummary } from '../pipeline/ingest.js';
import { KafkaIngest } from '../pipeline/kafka-ingest.js';
import { ObjectRounds } from '../pipeline/object-rounds.js';
import { SharedRounds } from '../pipeline/shared-rounds.js';
import { SqsRounds } from '../pipeline/sqs-rounds.js';
import { localSource, localStream } from '../sources/local.js';
import { S3Allowlist } from '../sources/s3/allowlist.js';
import { makeS3Client } from '../sources/s3/client.js';
import { s3Source } from '../sources/s3/s3-source.js';
import { backfillStream, parseS3Uri, pollStream } from '../sources/s3/s3-uri.js';
import type { Source, SourceHealth } from '../sources/source.js';
import { SqsSource } from '../sources/sqs/sqs-source.js';
import type { FlowStore } from '../store/store.js';
import type { TelemetryEvents } from '../telemetry/events.js';
import { kafkaLogCreator } from '../telemetry/kafka-log.js';
import { processHolder, TermLease } from './lease.js';
import { log } from '../telemetry/log.js';

type SourceConfig = FlowlogConfig['sources'][number];

export interface SourceDeps {
  store: FlowStore;
  enrich: BatchEnricher;
  events: TelemetryEvents;
  batchRows?: number;
  /** The configuration's limits (docs/security.md). */
  limits?: Limits;
  /** Each change of a source's state (running, failed with its error, stopped). */
  onHealth?: (source: string, h: SourceHealth) => void;
  /** This process in the leases table (run/lease.ts): an S3 poll runs on one instance at a time. */
  holder?: string;
}

export function s3Client(c: S3ConnectionConfig, where: string) {
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

/** A stored batch as events: flows (and freshness), then rejects by reason. */
function batchEvents(events: TelemetryEvents, source: string) {
  return (b: StoredBatch) => {
    if (b.rows > 0) events.flowsStored({ source, rows: b.rows, seconds: b.seconds, ...(b.newestFlowAt ? { newestFlowAt: b.newestFlowAt } : {}) });
    for (const [reason, count] of Object.entries(b.rejectsByReason)) events.recordsRejected({ source, reason: reason as RejectReason, count: count ?? 0 });
  };
}

/**
 * A failed listing as a typed error, so /healthz and flowlog_errors_total say
 * which fault it is: no such bucket, credentials refused, or a server that does
 * not answer (the SDK's own errors carry only a class name).
 */
function s3ListError(e: unknown, uri: string): FlowlogError {
  if (e instanceof FlowlogError) return e;
  const name = (e as { name?: string }).name ?? '';
  const status = httpStatusOf(e);
  const msg = `${uri}: ${name ? `${name}: ` : ''}${(e as Error).message ?? String(e)}`;
  if (name === 'NoSuchBucket' || status === 404) return new FlowlogError('SOURCE_NOT_FOUND', msg, 'check the bucket name in the source\'s uri, or create the bucket', { cause: e });
  if (status === 403 || status === 401 || /AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|InvalidToken|ExpiredToken/.test(name)) {
    return new FlowlogError('SOURCE_ACCESS_DENIED', msg, 'check the source\'s access_key and secret_key (or the role) and that it may s3:ListBucket and s3:GetObject', { cause: e });
  }
  return new FlowlogError('SOURCE_UNAVAILABLE', msg, 'check that the endpoint is reachable from here; flowlog keeps trying', { cause: e });
}

/** A Kafka source, with the handle the runner needs for backpressure. */
export interface KafkaRunning extends Source { backpressure(on: boolean): void }

export function kafkaSource(src: KafkaSourceConfig, where: string, deps: SourceDeps): KafkaRunning {
  const { events } = deps;
  const logFormat = src.log_format ? compileLogFormat(src.log_format) : undefined;
  let read = 0;
  const k = new KafkaIngest(deps.store, {
    kafka: { ...kafkaConfig(src, where), logCreator: kafkaLogCreator(log.child({ source: src.name })) },
    topics: src.topics, groupId: src.group_id, sessionTimeoutMs: durationMs(src.session_timeout),
    concurrency: src.concurrency,
    fetch: { minBytes: src.fetch.min_bytes, maxBytes: src.fetch.max_bytes, maxBytesPerPartition: src.fetch.max_bytes_per_partition, maxWaitMs: durationMs(src.fetch.max_wait) },
    ...(deps.batchRows ? { capacity: deps.batchRows } : {}), ...(deps.limits ? { limits: deps.limits } : {}),
    ...(logFormat ? { logFormat } : {}), ...(src.s3 ? { s3: { client: s3Client(src.s3, `${where}.s3`), allow: new S3Allowlist(src.s3.allow) } } : {}), enrich: deps.enrich,
    onRound: (r) => events.kafkaRound({ source: src.name, partition: r.partition, lag: r.lag, seconds: r.seconds }),
    onBatch: batchEvents(events, src.name),
    onBackpressure: (paused) => events.backpressure({ source: src.name, paused }),
    onStored: (s) => { events.messagesRead({ source: src.name, count: s.messages - read }); read = s.messages; },
    onError: (error, retryInMs) => events.error({ component: 'source', error, source: src.name, ...(retryInMs === undefined ? { restart: 'kafkajs' } : { retry_in_ms: retryInMs }) }),
    ...(deps.onHealth ? { onHealth: (h: SourceHealth) => deps.onHealth!(src.name, h) } : {}),
  });
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { stopped = resolve; });
  return {
    name: src.name, kind: 'kafka', done,
    start: async () => {
      await k.start();
      events.sourceStarted({ source: src.name, kind: 'kafka', topics: src.topics });
    },
    stop: async () => { await k.stop(); events.sourceStopped({ source: src.name }); stopped(); },
    health: () => k.health(),
    backpressure: (on) => k.backpressure(on),
  };
}

/** The client of an SQS source: AWS (the credential chain), or an SQS-compatible endpoint. */
export function sqsClient(c: SqsSourceConfig, where: string): SQSClient {
  if (Boolean(c.access_key) !== Boolean(c.secret_key)) {
    throw new FlowlogError('CONFIG_INVALID', `${where}: access_key and secret_key go together`, 'set both, or neither to use the AWS credential chain');
  }
  return new SQSClient({
    region: c.region, ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    ...(c.access_key && c.secret_key ? { credentials: { accessKeyId: readSecret(c.access_key, `${where}.access_key`), secretAccessKey: readSecret(c.secret_key, `${where}.secret_key`) } } : {}),
    maxAttempts: 6, retryMode: 'adaptive',
  });
}

/**
 * Messages an SQS round gathers on the embedded store by default: 5,000 notifications of 100-flow objects
 * stored at 95k flows/s in rounds of 300, 108k in rounds of 1000 (docs/performance.md).
 */
const EMBEDDED_ROUND_MESSAGES = 1000;

/** An SQS queue of S3 notifications: receives stored through the object pipeline, messages deleted once the ledger has their objects. */
export function sqsSource(src: SqsSourceConfig, where: string, deps: SourceDeps): Source {
  const { events } = deps;
  const logFormat = src.log_format ? compileLogFormat(src.log_format) : undefined;
  const s3 = s3Client(src.s3, `${where}.s3`);
  const client = sqsClient(src, where);
  const rounds = new SqsRounds(deps.store, {
    name: src.name, queue: src.queue_url.replace(/\/+$/, '').split('/').pop() ?? src.queue_url,
    // the embedded store has one writer (this process): a round's objects may share batches (pipeline/shared-rounds.ts)
    queueUrl: src.queue_url, cuts: deps.store.kind === 'embedded' ? 'shared' : 'per-object',
    s3: { client: s3, allow: new S3Allowlist(src.s3.allow), concurrency: src.concurrency },
    ingest: { ...(logFormat ? { logFormat } : {}), ...(deps.batchRows ? { batchRows: deps.batchRows } : {}), ...(deps.limits ? { limits: deps.limits } : {}), onBatch: batchEvents(events, src.name), enrich: deps.enrich },
    onRound: ({ messages, summary: s }) => {
      events.messagesRead({ source: src.name, count: messages });
      events.sourceRound({ source: src.name, objects: s.objects, skipped: s.skipped, rows: s.rows, rejected: s.rejected, seconds: s.seconds, unfinished: s.unfinished });
    },
  });
  const source = new SqsSource({
    client, queueUrl: src.queue_url, name: src.name, maxMessages: src.max_messages, roundMessages: src.round_messages ?? (deps.store.kind === 'embedded' ? EMBEDDED_ROUND_MESSAGES : src.max_messages),
    waitSeconds: Math.round(durationMs(src.wait_time) / 1000), visibilitySeconds: Math.ceil(durationMs(src.visibility_timeout) / 1000),
    onError: (error, retryInMs) => events.error({ component: 'source', error, source: src.name, retry_in_ms: retryInMs }),
    ...(deps.onHealth ? { onHealth: (h: SourceHealth) => deps.onHealth!(src.name, h) } : {}),
  }, rounds);
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { stopped = resolve; });
  return {
    name: src.name, kind: 'sqs', done,
    start: () => source.start(),
    stop: async () => { try { await source.stop(); } finally { client.destroy(); s3.destroy(); stopped(); } },
    health: () => source.health(),
  };
}

export function objectSource(src: Exclude<SourceConfig, KafkaSourceConfig | SqsSourceConfig>, where: string, deps: SourceDeps): Source {
  const { events } = deps;
  const logFormat = src.log_format ? compileLogFormat(src.log_format) : undefined;
  const ingest = { ...(logFormat ? { logFormat } : {}), ...(deps.batchRows ? { batchRows: deps.batchRows } : {}), ...(deps.limits ? { limits: deps.limits } : {}), onBatch: batchEvents(events, src.name), enrich: deps.enrich };
  const onRound = (s: IngestSummary) => events.sourceRound({ source: src.name, objects: s.objects, skipped: s.skipped, rows: s.rows, rejected: s.rejected, seconds: s.seconds, unfinished: s.unfinished });
  const onError = (error: unknown, retryInMs: number) => events.error({ component: 'source', error, source: src.name, retry_in_ms: retryInMs });
  const onHealth = deps.onHealth ? { onHealth: (h: SourceHealth) => deps.onHealth!(src.name, h) } : {};
  // one writer (the embedded store): each batch is written ahead, numbered per source (two sources may read one folder);
  // on a server another instance may run the same source, and its write-ahead is not this one's
  const writeAhead = (listing: string) => (deps.store.kind === 'embedded' ? { stream: `${listing}?source=${src.name}` } : {});
  if (src.kind === 'local') {
    const path = src.path;
    return new ObjectRounds(deps.store, { name: src.name, kind: 'local', ingest: { ...ingest, ...writeAhead(localStream(path)) }, onRound, onError, ...onHealth,
      open: () => ({ source: localSource(path) }) });
  }
  const { bucket, prefix } = parseS3Uri(src.uri);
  const poll = src.mode === 'poll';
  // a poll on the embedded store (one writer): its pages are stored in rounds that share batches, written ahead
  const fetcher = poll && deps.store.kind === 'embedded' ? s3Client(src, where) : null;
  const shared = fetcher ? new SharedRounds(deps.store, {
    kind: 's3', stream: pollStream(src), s3: { client: fetcher, concurrency: src.concurrency }, ingest, log: log.child({ source: src.name }), notified: false,
  }) : null;
  return new ObjectRounds(deps.store, {
    name: src.name, kind: 's3', ingest: { ...ingest, ...(poll ? {} : writeAhead(backfillStream(src))) }, onRound, onError, ...onHealth,
    ...(shared && fetcher ? { shared, close: () => fetcher.destroy() } : {}),
    open: (from) => {
      const client = s3Client(src, where);
      const since = poll ? from : src.from;
      const source = s3Source(client, { bucket, prefix, concurrency: src.concurrency, readAheadBytes: src.read_ahead_bytes, listError: (e) => s3ListError(e, src.uri),
        ...(since ? { from: since } : {}), ...(src.to ? { to: src.to } : {}) });
      return { source, close: () => client.destroy() };
    },
    // of several instances polling one prefix, the lease holder alone lists and stores it; the embedded store has one process
    ...(poll && !shared ? { lease: new TermLease(deps.store, `s3-poll:${src.name}:${src.uri}`, {
      termMs: durationMs(src.poll_lease), holder: deps.holder ?? processHolder(),
      onChange: (held, term) => deps.events.leaseChange({ lease: `s3-poll:${src.name}`, held, term }),
    }) } : {}),
    ...(poll ? { intervalMs: durationMs(src.poll_interval),
      cursor: { key: `${src.name}:${src.uri}`, prefix, ...(src.from ? { from: src.from } : {}), lookbackMs: durationMs(src.poll_lookback) } } : {}),
  });
}
