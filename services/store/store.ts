/**
 * What the pipeline needs from a store. The embedded engine (chdb) implements
 * it now; the ClickHouse server (@clickhouse/client) implements the same.
 */
import type { FlowBatch } from '../core/flow-batch.js';
import type { RejectedRecord } from '../core/rejects.js';

/** A batch already encoded for the store's insert format. */
export interface PreparedFlows { readonly rows: number; readonly columns: readonly string[]; readonly data: Buffer }

export interface LedgerEntry {
  sourceKind: 'local' | 's3' | 'kafka' | 'sqs';
  object: string;
  identity: string;
  batchId: string;
  firstPosition: number;
  lastPosition: number;
  rows: number;
  rejected: number;
  complete: boolean;
  /** 'intent': recorded before the rows are stored (Kafka write-ahead); default 'stored'. */
  state?: 'intent' | 'stored';
}

/** Rows of an object already stored (positions count accepted rows, 0-based, end exclusive). */
export interface ObjectProgress {
  identity: string;
  complete: boolean;
  /** End (exclusive) of what is stored: rows for objects, offsets for Kafka partitions. */
  storedRows: number;
  /** The latest write-ahead intent [first, end) beyond what is stored, and when it was written: to be replayed exactly. */
  intent?: { first: number; end: number; at?: Date };
}

export interface AppliedMigration { version: number; name: string; applied: boolean }

/** `cluster`: migrate a ClickHouse cluster with ON CLUSTER DDL (server only; services/store/cluster-ddl.ts). */
export interface MigrateOptions { cluster?: { cluster: string; database: string } }

export type QueryFormat = 'table' | 'json' | 'csv';

export interface FlowStore {
  readonly kind: 'embedded' | 'server';
  /** Batches the committer may have in flight at once (default 1): a server has cores of its own. */
  readonly maxInflightInserts?: number;
  /** Applies pending migrations from sql/migrations; idempotent. */
  migrate(opts?: MigrateOptions): Promise<AppliedMigration[]>;
  /**
   * Encodes a batch for insertion, synchronously: the batch may be reset (and
   * refilled) as soon as this returns, while the prepared block waits its turn.
   */
  prepareFlows(batch: FlowBatch): PreparedFlows;
  /**
   * Stores a prepared batch. `token` identifies its source position; the same
   * token stored twice keeps one copy. Each prepared batch is passed here once:
   * the store may reuse its buffer afterwards.
   */
  insertPrepared(prepared: PreparedFlows, token: string): Promise<void>;
  /** prepareFlows + insertPrepared. */
  insertFlows(batch: FlowBatch, token: string): Promise<void>;
  insertRejects(items: readonly RejectedRecord[], token: string): Promise<void>;
  /** Rows of a side table (IPAM snapshots, anomalies) as JSON lines, deduplicated by token like flows. */
  insertJsonLines(table: string, columns: readonly string[], body: Buffer, token: string): Promise<void>;
  recordLedger(entries: readonly LedgerEntry[]): Promise<void>;
  /** Where each object stands, by object name: what a re-run skips or resumes. `objects`: only these (a notification's). */
  ledgerState(sourceKind: LedgerEntry['sourceKind'], objects?: readonly string[]): Promise<Map<string, ObjectProgress>>;
  /** Rows as objects (JSON), parameters bound server-side as {name:Type}. */
  queryRows<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** A result rendered for a person or a pipe. */
  queryText(sql: string, format: QueryFormat, params?: Record<string, unknown>): Promise<string>;
  /** From now on this connection refuses writes and DDL (the engine enforces it): for analysts' ad-hoc SQL. */
  setReadOnly(): Promise<void>;
  close(): Promise<void>;
}
