/**
 * The store on a ClickHouse server, through @clickhouse/client over HTTP.
 * Same migrations and contract as the embedded store. Batches go in as Native
 * blocks (the client's insert() only takes JSON/text/Parquet, so the block is
 * streamed through exec() as the body of `INSERT ... FORMAT Native`),
 * gzip-compressed, each with its insert_deduplication_token.
 */
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { FlowBatch } from '../core/flow-batch.js';
import { FlowlogError } from '../core/errors.js';
import type { RejectedRecord } from '../core/rejects.js';
import { LEDGER_STATE_OF_SQL, LEDGER_STATE_SQL, ledgerProgress, type LedgerRow } from './migrations.js';
import { migrateStore } from './retention.js';
import { encodeNative } from './native-encoder.js';
import { withRetry, type RetryOptions } from './retry.js';
import type { AppliedMigration, FlowStore, MigrateOptions, LedgerEntry, ObjectProgress, PreparedFlows, QueryFormat } from './store.js';

const FORMATS: Record<QueryFormat, string> = { table: 'PrettyCompactMonoBlock', json: 'JSONEachRow', csv: 'CSVWithNames' };

export interface ServerStoreOptions {
  url: string;
  username?: string;
  password?: string;
  database?: string;
  retry?: RetryOptions;
  requestTimeoutMs?: number;
  /** For https:// URLs signed by a private CA; cert + key for mutual TLS. Public CAs need nothing. */
  tls?: { caCert: Buffer; cert?: Buffer; key?: Buffer };
  /** store.retention_days: the flows TTL, applied by migrate(). */
  retentionDays?: number;
  /** store.max_inflight_inserts: batches the committer sends at once (default 1). */
  maxInflightInserts?: number;
}

const DEDUP = (table: string, token: string) => ({
  insert_deduplicate: 1 as const,
  insert_deduplication_token: `${table}:${token}`,
  deduplicate_blocks_in_dependent_materialized_views: 1 as const,
  // a Distributed table (flowlog migrate --cluster) stores on the shards before the insert returns, each part with
  // this token; in the background mode the insert would return before any shard has the rows (and the ledger would
  // say stored). No effect on a single node. Named by its old alias, which every server release knows.
  insert_distributed_sync: 1 as const,
});

export class ClickHouseServerStore implements FlowStore {
  readonly kind = 'server';
  readonly maxInflightInserts: number;
  private readonly client: ClickHouseClient;
  private readonly = false;
  private get ro() { return this.readonly ? { clickhouse_settings: { readonly: '1' as const } } : {}; }

  constructor(private readonly opts: ServerStoreOptions) {
    this.maxInflightInserts = opts.maxInflightInserts ?? 1;
    this.client = createClient({
      url: opts.url,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.database !== undefined ? { database: opts.database } : {}),
      compression: { request: true, response: true },
      ...(opts.tls ? { tls: opts.tls.cert && opts.tls.key ? { ca_cert: opts.tls.caCert, cert: opts.tls.cert, key: opts.tls.key } : { ca_cert: opts.tls.caCert } } : {}),
      request_timeout: opts.requestTimeoutMs ?? 300_000,
      // progress headers keep a long insert's connection alive through load balancers' idle timeouts.
      // distributed_product_mode: on a cluster, an IN over a subquery of flows (the detectors', the summary's,
      // a saved query's) reads the Distributed table on both sides, which servers refuse by default ('deny');
      // 'global' runs the subquery once over every shard, the set the query means. No effect on one node.
      clickhouse_settings: {
        output_format_json_quote_64bit_integers: 0, send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '60000',
        distributed_product_mode: 'global',
      },
    });
  }

  /** One request, no retries: for health checks. */
  async ping(): Promise<boolean> {
    try { return (await this.client.ping()).success; } catch { return false; }
  }

  migrate(opts: MigrateOptions = {}): Promise<AppliedMigration[]> {
    return migrateStore({ exec: (sql) => this.exec(sql), queryRows: (sql) => this.queryRows(sql) }, this.opts.retentionDays, opts.cluster);
  }

  async exec(sql: string): Promise<void> {
    try { await withRetry(() => this.client.command({ query: sql, ...this.ro }), this.opts.retry); } catch (e) { throw queryError(e, sql); }
  }

  prepareFlows(batch: FlowBatch): PreparedFlows {
    const block = encodeNative(batch);
    return { rows: batch.length, columns: block.columns, data: block.data };
  }

  async insertPrepared(prepared: PreparedFlows, token: string): Promise<void> {
    if (prepared.rows === 0) return;
    await this.insertRaw('flows', prepared.columns, 'Native', prepared.data, token);
  }

  insertFlows(batch: FlowBatch, token: string): Promise<void> {
    return this.insertPrepared(this.prepareFlows(batch), token);
  }

  async insertJsonLines(table: string, columns: readonly string[], body: Buffer, token: string): Promise<void> {
    if (body.length > 0) await this.insertRaw(table, columns, 'JSONEachRow', body, token);
  }

  async insertRejects(items: readonly RejectedRecord[], token: string): Promise<void> {
    if (items.length === 0) return;
    // streamed row by row (a fresh stream per attempt): a batch of rejects is never one string
    try {
      await withRetry(() => this.client.insert({ table: 'flows_rejected', values: Readable.from(items.map((r) => ({ ...r }))), format: 'JSONEachRow',
        clickhouse_settings: DEDUP('flows_rejected', token) }), this.opts.retry);
    } catch (e) {
      throw insertError('flows_rejected', e);
    }
  }

  async recordLedger(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.insertJson('ingest_ledger', entries.map((e) => ({
      source_kind: e.sourceKind, object: e.object, identity: e.identity, batch_id: e.batchId,
      first_position: e.firstPosition, last_position: e.lastPosition, rows: e.rows, rejected: e.rejected, complete: e.complete ? 1 : 0,
      state: e.state ?? 'stored',
    })), entries[0]!.batchId + (entries[0]!.state === 'intent' ? ':intent' : ''));
  }

  async ledgerState(sourceKind: LedgerEntry['sourceKind'], objects?: readonly string[]): Promise<Map<string, ObjectProgress>> {
    if (objects?.length === 0) return new Map();
    const rows = await this.queryRows<LedgerRow>(objects ? LEDGER_STATE_OF_SQL : LEDGER_STATE_SQL, { k: sourceKind, ...(objects ? { objects: JSON.stringify(objects) } : {}) });
    return new Map(rows.map((r) => [r.object, ledgerProgress(r)]));
  }

  async queryRows<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    try {
      return await withRetry(async () => (await this.client.query({ query: sql, format: 'JSONEachRow', ...(params ? { query_params: params } : {}), ...this.ro })).json<T>(), this.opts.retry);
    } catch (e) { throw queryError(e, sql); }
  }

  async queryText(sql: string, format: QueryFormat, params?: Record<string, unknown>): Promise<string> {
    try {
      const rs = await withRetry(() => this.client.exec({ query: `${sql}\nFORMAT ${FORMATS[format]}`, ...(params ? { query_params: params } : {}), ...this.ro }), this.opts.retry);
      const chunks: Buffer[] = [];
      for await (const c of rs.stream) chunks.push(Buffer.from(c as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    } catch (e) { throw queryError(e, sql); }
  }

  /** HTTP has no session state here: every later request carries readonly=1, which the server enforces. */
  async setReadOnly(): Promise<void> {
    this.readonly = true;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** One insert of an encoded body (Native for flows; the bench compares other formats through it). */
  async insertRaw(table: string, columns: readonly string[], format: string, data: Buffer, token: string, extra: Record<string, string> = {}): Promise<void> {
    try {
      await withRetry(async () => {
        const rs = await this.client.exec({
          query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT ${format}`,
          values: Readable.from([data]),
          clickhouse_settings: { ...DEDUP(table, token), ...extra },
        });
        rs.stream.resume();
        await new Promise<void>((resolve, reject) => { rs.stream.on('end', resolve); rs.stream.on('error', reject); });
      }, this.opts.retry);
    } catch (e) {
      throw insertError(table, e);
    }
  }

  private async insertJson(table: string, values: Record<string, unknown>[], token: string): Promise<void> {
    try {
      await withRetry(() => this.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: DEDUP(table, token) }), this.opts.retry);
    } catch (e) {
      throw insertError(table, e);
    }
  }
}

function insertError(table: string, e: unknown): FlowlogError {
  return new FlowlogError('STORE_INSERT_FAILED', `insert into ${table} failed: ${(e as Error).message}`,
    'the batch was not stored and its source position was not advanced, so a re-run retries it', { cause: e });
}

function queryError(e: unknown, sql: string): FlowlogError {
  return new FlowlogError('STORE_QUERY_FAILED', (e as Error).message, `the query was: ${sql.length > 300 ? `${sql.slice(0, 300)}…` : sql}`, { cause: e });
}
