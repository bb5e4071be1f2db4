/**
 * The YAML configuration of `flowlog run`, validated at the edge. Secrets are
 * never written in the file: each is `{ env: NAME }` or `{ file: PATH }`.
 */
import { z } from 'zod';
import { duration, secret } from './common.js';
import { enrichSchema } from './enrich.js';
import { detectSchema } from './detect.js';
import { reportsSchema } from './reports.js';

const tls = z.object({
  enabled: z.boolean().default(true),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  reject_unauthorized: z.boolean().default(true),
}).strict();

/** TLS towards a server whose certificate a private CA signed (public CAs need nothing). */
const privateCa = z.object({
  ca_file: z.string().min(1, 'the PEM file of the CA that signed the server certificate'),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
}).strict().refine((t) => Boolean(t.cert_file) === Boolean(t.key_file), { message: 'cert_file and key_file go together (mutual TLS), or neither' });

const kafkaSource = z.object({
  kind: z.literal('kafka'),
  name: z.string().min(1),
  brokers: z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'host:port')).min(1, 'at least one broker, as host:port'),
  topics: z.array(z.string().min(1)).min(1, 'at least one topic'),
  group_id: z.string().min(1).default('flowlog'),
  /** How long a crashed consumer keeps its partitions before the group moves them (broker minimum: 6s). */
  session_timeout: duration.default('30s'),
  log_format: z.string().optional(),
  tls: tls.optional(),
  sasl: z.object({
    // Event Hubs' Kafka endpoint: PLAIN with username "$ConnectionString" and the connection string as password
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1),
    password: secret,
  }).strict().optional(),
  /** Fetch notified S3 objects with these S3 settings. */
  s3: z.lazy(() => s3Connection).optional(),
}).strict();

const s3Connection = z.object({
  endpoint: z.string().url().optional(),
  region: z.string().default('us-east-1'),
  path_style: z.boolean().optional(),
  access_key: secret.optional(),
  secret_key: secret.optional(),
  /** PEM of a private CA for an https endpoint (on-premises MinIO, Ceph...). */
  ca_file: z.string().optional(),
}).strict();

const s3Source = s3Connection.extend({
  kind: z.literal('s3'),
  name: z.string().min(1),
  uri: z.string().regex(/^s3:\/\/[^/]+\/?.*$/, 's3://bucket/prefix'),
  mode: z.enum(['backfill', 'poll']).default('backfill'),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  poll_interval: duration.default('60s'),
  /** Poll mode, date-partitioned prefixes: how far before the cursor each round lists again (late deliveries). */
  poll_lookback: duration.default('1d'),
  log_format: z.string().optional(),
}).strict();

const localSource = z.object({
  kind: z.literal('local'),
  name: z.string().min(1),
  path: z.string().min(1),
  log_format: z.string().optional(),
}).strict();

export const configSchema = z.object({
  store: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('embedded'), data_dir: z.string().default('./.flowlog') }).strict(),
    z.object({
      kind: z.literal('clickhouse'),
      url: z.string().url(),
      user: z.string().optional(),
      password: secret.optional(),
      database: z.string().optional(),
      tls: privateCa.optional(),
    }).strict(),
  ]).default({ kind: 'embedded', data_dir: './.flowlog' }),
  sources: z.array(z.discriminatedUnion('kind', [kafkaSource, s3Source, localSource])).min(1, 'at least one source'),
  batch_rows: z.number().int().min(1000).max(4_000_000).optional(),
  enrich: enrichSchema.optional(),
  detect: detectSchema.optional(),
  /** A segmentation policy evaluated on every flow as it is ingested (see services/enrich/policy/README.md). */
  policy: z.object({ file: z.string().min(1) }).strict().optional(),
  reports: reportsSchema.default([]),
  metrics: z.object({ listen: z.string().regex(/^[^:\s]*:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464') }).strict().optional(),
}).strict();

export type FlowlogConfig = z.infer<typeof configSchema>;
export type SecretRef = z.infer<typeof secret>;
export type KafkaSourceConfig = z.infer<typeof kafkaSource>;
export type S3SourceConfig = z.infer<typeof s3Source>;
export type S3ConnectionConfig = z.infer<typeof s3Connection>;
