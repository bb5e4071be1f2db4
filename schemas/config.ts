/**
 * The configuration of flowlog: the single source of truth for every setting.
 * The YAML file is validated against it; environment variables and CLI flags
 * are merged into it in one place (services/config/resolve.ts); the JSON
 * Schema (schemas/flowlog.schema.json) and the reference page
 * (docs/configuration-reference.md) are generated from it, so every key's
 * `.describe()` text is what a reader sees.
 * Secrets are never written in the file: each is `{ env: NAME }` or `{ file: PATH }`.
 */
import { z } from 'zod';
import { duration, parseDuration, secret } from './common.js';
import { enrichSchema } from './enrich.js';
import { detectSchema } from './detect.js';
import { reportsSchema } from './reports.js';

/** Rows per insert when nothing says otherwise (services/commit/batcher.ts DEFAULT_CAPACITY; a test keeps them equal). */
export const DEFAULT_BATCH_ROWS = 262_144;
export const DEFAULT_DATA_DIR = './.flowlog';
/** Inserts in flight to a ClickHouse server (store.max_inflight_inserts); the embedded engine takes one at a time. */
export const DEFAULT_SERVER_INFLIGHT = 2;

/**
 * Caps that keep one hostile or broken object from taking the process's
 * memory (docs/security.md, Limits). Past one, the line, object or message is
 * quarantined with a reason and the run goes on.
 */
export const DEFAULT_LIMITS = {
  /** A v8 AWS record with every ECS ARN is ~1.5 KB. */
  max_line_bytes: 64 << 10,
  /** Azure PT1H.json blobs of busy NSGs reach tens of MB; the whole document is parsed at once (several times its size in memory). */
  max_document_bytes: 128 << 20,
  /** Event Hubs caps a message at 1 MB; Kafka's default at 1 MB too: decoded, 64 MiB is far beyond a real one. */
  max_message_bytes: 64 << 20,
  max_rejects_per_batch: 2_000,
  max_reject_bytes_per_batch: 1 << 20,
} as const;

const limits = z.object({
  max_line_bytes: z.number().int().min(1024).max(1 << 30).default(DEFAULT_LIMITS.max_line_bytes)
    .describe('Longest AWS text line (bytes, also across decompressed windows); a longer one is one LINE_TOO_LONG reject and the run goes on with the next line.'),
  max_document_bytes: z.number().int().min(1 << 20).max(4 * 1024 ** 3).default(DEFAULT_LIMITS.max_document_bytes)
    .describe('Largest JSON or Parquet document (bytes, decompressed; Parquet also by its declared uncompressed size), read whole to parse: a larger object is quarantined as TOO_LARGE.'),
  max_message_bytes: z.number().int().min(1 << 10).max(1 << 30).default(DEFAULT_LIMITS.max_message_bytes)
    .describe('Largest Kafka message (bytes, decompressed): a larger one is quarantined as TOO_LARGE.'),
  max_rejects_per_batch: z.number().int().min(1).max(1_000_000).default(DEFAULT_LIMITS.max_rejects_per_batch)
    .describe('Rejected records held before they are stored: a batch is stored when it holds this many, even with few flows.'),
  max_reject_bytes_per_batch: z.number().int().min(64 << 10).max(1 << 30).default(DEFAULT_LIMITS.max_reject_bytes_per_batch)
    .describe('Bytes of rejected records (as stored: JSON, where a control character takes 6) held before they are stored: a batch is stored when its rejects reach this, even with few flows.'),
}).strict().default({});

const tls = z.object({
  enabled: z.boolean().default(true).describe('Connect with TLS.'),
  ca_file: z.string().optional().describe('PEM file of a private CA that signed the broker certificates.'),
  cert_file: z.string().optional().describe('PEM client certificate (mutual TLS).'),
  key_file: z.string().optional().describe('PEM key of the client certificate.'),
  reject_unauthorized: z.boolean().default(true).describe('Refuse a broker certificate that does not verify.'),
}).strict();

/** TLS towards a server whose certificate a private CA signed (public CAs need nothing). */
const privateCa = z.object({
  ca_file: z.string().min(1, 'the PEM file of the CA that signed the server certificate').describe('PEM file of the CA that signed the server certificate (env CLICKHOUSE_CA_FILE).'),
  cert_file: z.string().optional().describe('PEM client certificate (mutual TLS), with key_file.'),
  key_file: z.string().optional().describe('PEM key of the client certificate, with cert_file.'),
}).strict().refine((t) => Boolean(t.cert_file) === Boolean(t.key_file), { message: 'cert_file and key_file go together (mutual TLS), or neither' });

const s3Connection = z.object({
  endpoint: z.string().url().optional().describe('S3-compatible endpoint (MinIO, Ceph...); unset for AWS S3.'),
  region: z.string().default('us-east-1').describe('S3 region.'),
  path_style: z.boolean().optional().describe('Path-style addressing; defaults to true when endpoint is set.'),
  access_key: secret.optional().describe('Access key id; unset for the default AWS credential chain.'),
  secret_key: secret.optional().describe('Secret access key, with access_key.'),
  /** PEM of a private CA for an https endpoint (on-premises MinIO, Ceph...). */
  ca_file: z.string().optional().describe('PEM file of a private CA for an https endpoint.'),
}).strict();

/** A bucket, and optionally a key prefix, that notified objects may come from (services/sources/s3/allowlist.ts). */
const allowRule = z.object({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (lower case, 3 to 63 characters)').describe('Bucket name, matched exactly.'),
  prefix: z.string().optional().describe('Key prefix, e.g. AWSLogs/ (keep the trailing slash); unset: the whole bucket.'),
}).strict();

/** S3 settings for objects that notifications name: which ones may be read is required (a notification is untrusted). */
const notifiedS3 = s3Connection.extend({
  allow: z.array(allowRule, {
    required_error: 'a list of the buckets (and key prefixes) notified objects may come from, e.g. allow: [{ bucket: my-flow-logs, prefix: AWSLogs/ }]; anything else is quarantined NOT_ALLOWED',
  }).min(1, 'at least one { bucket, prefix }: a notification may name any bucket, so flowlog reads only the ones listed')
    .describe('Buckets and key prefixes notified objects may come from; any other object is not fetched and is quarantined NOT_ALLOWED (docs/security.md).'),
}).strict();

const kafkaFetch = z.object({
  min_bytes: z.number().int().min(1).default(1 << 20).describe('Smallest fetch the broker answers with (before max_wait): fewer, larger fetches, each one insert.'),
  max_bytes: z.number().int().min(1).default(64 << 20).describe('Largest fetch over all partitions; a fetch is held whole while its rounds are stored. Unset: the memory profile\'s (small and minimal 16 MB, large 64 MB: with 131072-row batches, 16 MB fetches peaked 17-47 MB under 32 MB ones at the same rate, measured) on the embedded store or wherever memory.profile is named; else (a ClickHouse server store) 64 MB.'),
  max_bytes_per_partition: z.number().int().min(1).default(16 << 20).describe('Largest fetch from one partition.'),
  max_wait: duration.default('500ms').describe('How long the broker waits to gather min_bytes.'),
}).strict().default({}).describe('Consumer fetch sizes.');

const kafkaSource = z.object({
  kind: z.literal('kafka'),
  name: z.string().min(1).describe('Source name, in metrics and logs.'),
  brokers: z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'host:port')).min(1, 'at least one broker, as host:port').describe('Bootstrap brokers, host:port.'),
  topics: z.array(z.string().min(1)).min(1, 'at least one topic').describe('Topics carrying flow logs or S3 object notifications.'),
  group_id: z.string().min(1).default('flowlog').describe('Consumer group.'),
  /** How long a crashed consumer keeps its partitions before the group moves them (broker minimum: 6s). */
  session_timeout: duration.default('30s').describe('How long a crashed consumer keeps its partitions before the group moves them (broker minimum 6s).'),
  log_format: z.string().optional().describe('AWS custom log format line, when the records have no header.'),
  tls: tls.optional().describe('TLS towards the brokers.'),
  sasl: z.object({
    // Event Hubs' Kafka endpoint: PLAIN with username "$ConnectionString" and the connection string as password
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
    username: z.string().min(1).describe('SASL user ("$ConnectionString" for Event Hubs).'),
    password: secret.describe('SASL password (the connection string for Event Hubs).'),
  }).strict().optional().describe('SASL authentication.'),
  fetch: kafkaFetch,
  concurrency: z.number().int().min(1).max(16).default(2)
    .describe('Partitions stored at once: one round is parsed while another is being inserted (~1.25x the rate of 1 on two cores). Rounds share one batch buffer (they parse in turn); each round held holds its fetched messages and its encoded batch until stored; 1 keeps memory lowest. A source with an s3: block (its messages may be S3 notifications) stores one round at a time whatever this says.'),
  /** Fetch notified S3 objects with these S3 settings, from the buckets and prefixes allow names only. */
  s3: z.lazy(() => notifiedS3).optional().describe('S3 settings for fetching objects that notifications name, and which ones may be fetched (allow).'),
}).strict();

/** SQS allows 0s to 12h of visibility, in whole seconds. */
const visibility = duration.refine((d) => { const ms = parseDuration(d); return ms !== null && ms >= 1000 && ms <= 12 * 3_600_000; },
  'from 1s to 12h (SQS\'s bounds; whole seconds, rounded up)');

const sqsSource = z.object({
  kind: z.literal('sqs'),
  name: z.string().min(1).describe('Source name, in metrics and logs.'),
  queue_url: z.string().url().describe('URL of the queue that receives the S3 notifications (S3 -> SQS, S3 -> SNS -> SQS, or EventBridge -> SQS).'),
  region: z.string().default('us-east-1').describe('SQS region.'),
  endpoint: z.string().url().optional().describe('SQS-compatible endpoint (ElasticMQ, LocalStack); unset for AWS SQS.'),
  access_key: secret.optional().describe('Access key id for SQS; unset for the default AWS credential chain.'),
  secret_key: secret.optional().describe('Secret access key for SQS, with access_key.'),
  wait_time: duration.refine((d) => (parseDuration(d) ?? Infinity) <= 20_000, 'at most 20s (SQS\'s longest long poll)').default('20s')
    .describe('Long polling: how long a receive waits for messages (at most 20s).'),
  max_messages: z.number().int().min(1).max(10).default(10).describe('Messages per receive (SQS allows 1 to 10).'),
  round_messages: z.number().int().min(1).max(1000).optional()
    .describe('Messages gathered into one round: after a receive that returns max_messages, more are received at once (no wait) up to this many, for at most a third of visibility_timeout. Default: 1000 on the embedded store, whose rounds share batches across objects; max_messages (one receive) on a ClickHouse server, where each object is stored in batches of its own and instances share the queue.'),
  visibility_timeout: visibility.default('60s')
    .describe('How long a received message stays hidden from other consumers; flowlog extends it (a heartbeat every third of it) while the message\'s objects are being stored.'),
  concurrency: z.number().int().min(1).max(64).default(4).describe('Objects fetched ahead while one is parsed.'),
  log_format: z.string().optional().describe('AWS custom log format line, when the objects have no header.'),
  /** Fetch notified S3 objects with these S3 settings, from the buckets and prefixes allow names only. */
  s3: z.lazy(() => notifiedS3).describe('S3 settings for fetching the objects the notifications name, and which ones may be fetched (allow).'),
}).strict();

const s3Source = s3Connection.extend({
  kind: z.literal('s3'),
  name: z.string().min(1).describe('Source name, in metrics and logs.'),
  uri: z.string().regex(/^s3:\/\/[^/]+\/?.*$/, 's3://bucket/prefix').describe('s3://bucket/prefix to read.'),
  mode: z.enum(['backfill', 'poll']).default('backfill').describe('backfill: list once and finish; poll: list again every poll_interval.'),
  from: z.coerce.date().optional().describe('Only objects whose key date is at or after this.'),
  to: z.coerce.date().optional().describe('Only objects whose key date is before this.'),
  poll_interval: duration.default('60s').describe('Poll mode: time between rounds.'),
  /** Poll mode, date-partitioned prefixes: how far before the cursor each round lists again (late deliveries). */
  poll_lookback: duration.default('1d').describe('Poll mode, date-partitioned prefixes: how far before the cursor each round lists again (late deliveries).'),
  /** Several instances polling one prefix: one holds the poll term after term (docs/operations.md#several-instances). */
  poll_lease: duration.default('30s').describe('Poll mode, several instances on a ClickHouse server: the term of the lease that lets one instance poll this prefix; another takes over within two terms of the holder dying. The same on every instance. Not used on the embedded store (one process).'),
  log_format: z.string().optional().describe('AWS custom log format line, when the objects have no header.'),
  /** Small objects cost a request each more than their bytes: many in flight hide the network's latency. */
  concurrency: z.number().int().min(1).max(512).default(256).describe('Most GETs in flight: objects fetched ahead while one is parsed (small ones whole, large ones streamed); 64 under memory.profile minimal (behind 20 ms of latency 64 ran at ~0.8x the rate of 256 for ~65 MB less peak).'),
  read_ahead_bytes: z.number().int().min(1 << 20).max(4 * 1024 ** 3).default(32 << 20)
    .describe('Most bytes fetched ahead (a streamed large object counts its 4 MB window): many small objects in flight, few large ones.'),
}).strict();

const localSource = z.object({
  kind: z.literal('local'),
  name: z.string().min(1).describe('Source name, in metrics and logs.'),
  path: z.string().min(1).describe('A file or folder (read recursively).'),
  log_format: z.string().optional().describe('AWS custom log format line, when the files have no header.'),
}).strict();

/**
 * What the embedded engine may hold, by profile (memory.profile); each key of
 * the memory section overrides its profile's value, and batch_rows is the
 * batch.rows of a configuration that sets none, kafka_fetch_max_bytes each Kafka
 * source's fetch.max_bytes where it sets none, s3_gets the GETs in flight of an
 * s3 source that sets no concurrency and of `flowlog ingest s3://`; an unset
 * profile on the embedded store is small's (or minimal under a memory limit).
 * Measured peak RSS of `flowlog ingest` over three full bench runs
 * (docs/performance.md, Latest run and the run before), the engine's start-up
 * pages released (memory.release_engine_pages): small 430-516 MB by dataset,
 * an S3 backfill behind real latency 458-484, a Kafka consumer 503-520
 * (544-582 over 20M flows in one ingest); minimal 379-463 MB (507 over 20M
 * flows). small's
 * 131072 rows, 50 ms and 16 MB fetches against its own 262144 rows, 200 ms and 64 MB before (large's batch and fetch): 100-165 MB
 * less peak at 1.01-1.03x the wall time on local data, ~0.88x a Kafka
 * consumer's rate (docs/performance.md, Memory against speed).
 */
export const MEMORY_PROFILES = {
  minimal: { mark_cache_mb: 32, index_cache_mb: 32, uncompressed_cache_mb: 0, engine_threads: 2, merge_threads: 2, engine_decay_ms: 50, batch_rows: 65_536, kafka_fetch_max_bytes: 16 << 20, s3_gets: 64 },
  small: { mark_cache_mb: 32, index_cache_mb: 32, uncompressed_cache_mb: 0, engine_threads: 2, merge_threads: 2, engine_decay_ms: 50, batch_rows: 131_072, kafka_fetch_max_bytes: 16 << 20, s3_gets: 256 },
  large: { mark_cache_mb: 1024, index_cache_mb: 1024, uncompressed_cache_mb: 1024, engine_threads: 0, merge_threads: 0, engine_decay_ms: null, batch_rows: DEFAULT_BATCH_ROWS, kafka_fetch_max_bytes: 64 << 20, s3_gets: 256 },
} as const;

const mb = (what: string) => z.number().int().min(0).max(1 << 20).optional().describe(what);

const memory = z.object({
  profile: z.enum(['minimal', 'small', 'large']).default('small')
    .describe('Unset: small, or on the embedded store minimal when this process may use less than 1 GiB (its cgroup\'s memory limit, as in a container, or the machine\'s RAM; logged as config.auto, and `flowlog config print` then shows memory.profile <- auto with the limit read). small: engine caches of 32 MB, 2 engine threads, freed engine memory returned after 50 ms, 131072-row batches, Kafka fetches of at most 16 MB, for a peak of ~430-520 MB on local, S3 and Kafka data (~545-580 over 20M flows in one ingest); minimal: as small with 65536-row batches and 64 S3 GETs in flight, for a peak of ~385-465 MB on local, S3 and Kafka data and ~510 MB over 20M flows in one ingest (~80 MB more without release_engine_pages), at 0.66-0.89x the default\'s rate (batch.rows, a Kafka source\'s fetch.max_bytes and an s3 source\'s concurrency, when set, win; flowlog ingest s3:// takes the profile\'s GETs); large: caches of 1 GB each, as many engine threads as cores, 262144-row batches and Kafka fetches of 64 MB, for a machine with memory to spare (env FLOWLOG_MEMORY_PROFILE).'),
  mark_cache_mb: mb('Embedded engine: cache of marks (where each granule of a column starts), MB (small 32, large 1024).'),
  index_cache_mb: mb('Embedded engine: caches of primary-index and skip-index marks, MB each (small 32, large 1024).'),
  uncompressed_cache_mb: mb('Embedded engine: cache of decompressed blocks for repeated small reads, MB; 0 turns it off (small 0, large 1024).'),
  engine_threads: z.number().int().min(0).max(256).optional()
    .describe('Embedded engine: threads one query may use (max_threads); 0: one per core (small 2, large 0).'),
  merge_threads: z.number().int().min(0).max(256).optional()
    .describe('Embedded engine: background merge threads (background_pool_size); 0: the engine\'s default (small 2, large 0). 1 on two cores: a long backfill runs ~1.25x faster but leaves its merges for later (60M flows: 139 active parts against 21), which slows queries until they are done.'),
  engine_decay_ms: z.number().int().min(0).max(3_600_000).optional()
    .describe('Embedded engine: how long its allocator keeps freed memory for reuse before returning it to the system, ms (jemalloc dirty decay; then it goes back at once, muzzy decay 0); 0 returns it at once (~25-55 MB lower peak than 50, for ~1.2x the time on large objects) (minimal and small 50, large: the engine\'s own). Read once, when the engine loads; a JE_MALLOC_CONF in the environment wins.'),
  release_engine_pages: z.boolean().default(true)
    .describe('Embedded engine: once it has started, hand back the pages of its library only the start-up read (~80-140 MB of peak RSS, measured; needs the native module `npm install` builds with a C compiler, else nothing is released). false keeps them.'),
  engine_limit_mb: mb('Embedded engine: hard cap on its tracked memory (max_server_memory_usage), MB; a query past it fails with MEMORY_LIMIT_EXCEEDED instead of growing. Unset: 90% of RAM.'),
}).strict().default({});

const retentionDays = z.number().int().min(1).optional()
  .describe('Age flows out after this many days (the flows table TTL, set at migrate; env FLOWLOG_RETENTION_DAYS). Unset: no TTL, the table is left as it is.');

const embeddedStore = z.object({
  kind: z.literal('embedded'),
  data_dir: z.string().min(1).default(DEFAULT_DATA_DIR).describe('Folder of the embedded engine (env FLOWLOG_DATA_DIR). One process at a time.'),
  spool_dir: z.string().min(1).optional().describe('Where a Native block waits for the engine to read it (env FLOWLOG_SPOOL_DIR); default /dev/shm, else the temp folder.'),
  retention_days: retentionDays,
}).strict();

const serverStore = z.object({
  kind: z.literal('clickhouse'),
  url: z.string().url().describe('ClickHouse HTTP(S) URL, e.g. https://host:8443 (env CLICKHOUSE_URL).'),
  user: z.string().optional().describe('ClickHouse user (env CLICKHOUSE_USER).'),
  password: secret.optional().describe('ClickHouse password (env CLICKHOUSE_PASSWORD or CLICKHOUSE_PASSWORD_FILE).'),
  database: z.string().optional().describe('Database (env CLICKHOUSE_DATABASE); default the user\'s.'),
  tls: privateCa.optional().describe('TLS towards a server whose certificate a private CA signed.'),
  retry: z.object({
    base: duration.default('200ms').describe('First wait before retrying a transient store error; doubles each attempt.'),
    max: duration.default('5s').describe('Longest wait between two attempts.'),
  }).strict().default({}).describe('Retries of transient store errors (flowlog run retries until the store answers).'),
  max_inflight_inserts: z.number().int().min(1).max(16).optional()
    .describe(`Batches sent to the server at once (each holds one encoded block in memory; default ${DEFAULT_SERVER_INFLIGHT}): the server writes them on cores of its own. Their ledger rows still go in batch order, each after its rows.`),
  retention_days: retentionDays,
}).strict();

export const configSchema = z.object({
  role: z.enum(['all', 'ingest', 'detect']).default('all')
    .describe('What flowlog run does here: ingest (the sources only), detect (the detector and report schedules only) or all (both). Several instances: docs/operations.md#several-instances (env FLOWLOG_ROLE, flag --role).'),
  store: z.discriminatedUnion('kind', [embeddedStore, serverStore]).default({ kind: 'embedded' })
    .describe('Where flows are stored: the embedded engine (default) or a ClickHouse server.'),
  sources: z.array(z.discriminatedUnion('kind', [kafkaSource, sqsSource, s3Source, localSource])).default([])
    .describe('What flowlog run reads (run needs at least one; other commands ignore them).'),
  batch: z.object({
    rows: z.number().int().min(1000).max(4_000_000).default(DEFAULT_BATCH_ROWS).describe('Rows per insert: memory against speed (env FLOWLOG_BATCH_ROWS). Unset: the memory profile\'s (small 131072, minimal 65536, large 262144) on the embedded store or wherever memory.profile is named; else (a ClickHouse server store) 262144.'),
  }).strict().default({}).describe('Batching of inserts.'),
  batch_rows: z.number().int().min(1000).max(4_000_000).optional().describe('Deprecated: use batch.rows.'),
  log: z.object({
    level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info').describe('Lowest level logged (env FLOWLOG_LOG_LEVEL).'),
  }).strict().default({}).describe('Logging (JSON lines on stderr).'),
  enrich: enrichSchema.optional().describe('IPAM sources and ownership rules.'),
  enrich_file: z.string().min(1).optional().describe('A YAML file with an enrich: section, for ingest, policy and ipam (env FLOWLOG_ENRICH, flag --enrich).'),
  detect: detectSchema.optional().describe('Scheduled detectors and their parameters.'),
  /** A segmentation policy evaluated on every flow as it is ingested (see services/enrich/policy/README.md). */
  policy: z.object({ file: z.string().min(1).describe('The policy YAML file (env FLOWLOG_POLICY, flag --policy).') }).strict().optional()
    .describe('A segmentation policy evaluated on every flow as it is ingested.'),
  reports: reportsSchema.default([]).describe('Scheduled reports.'),
  limits: limits.describe('Memory caps on hostile or broken input (docs/security.md).'),
  memory: memory.describe('Memory budget of the embedded engine: caches and threads (docs/performance.md, Memory).'),
  metrics: z.object({
    listen: z.string().regex(/^[^:\s]*:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464').describe('host:port of the Prometheus /metrics and /healthz endpoint.'),
  }).strict().optional().describe('Prometheus metrics (flowlog run).'),
}).strict();

export type FlowlogConfig = z.infer<typeof configSchema>;
export type SecretRef = z.infer<typeof secret>;
export type Limits = FlowlogConfig['limits'];
export type MemoryConfig = FlowlogConfig['memory'];
export type StoreConfig = FlowlogConfig['store'];
export type KafkaSourceConfig = z.infer<typeof kafkaSource>;
export type S3SourceConfig = z.infer<typeof s3Source>;
export type SqsSourceConfig = z.infer<typeof sqsSource>;
export type S3ConnectionConfig = z.infer<typeof s3Connection>;
export type NotifiedS3Config = z.infer<typeof notifiedS3>;
