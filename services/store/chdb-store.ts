/**
 * The zero-setup store: the ClickHouse engine in-process (chdb), data under
 * FLOWLOG_DATA_DIR. Batches go in as Native blocks through a tmpfs file and
 * `INSERT ... SELECT FROM file()`, the fastest columnar path this engine has
 * (its raw insert API takes text formats only, ~6x slower in our measurement).
 */
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Session } from 'chdb';
import type { FlowBatch } from '../core/flow-batch.js';
import { FlowlogError } from '../core/errors.js';
import type { RejectedRecord } from '../core/rejects.js';
import { LEDGER_STATE_OF_SQL, LEDGER_STATE_SQL, ledgerProgress, type LedgerRow } from './migrations.js';
import { migrateStore } from './retention.js';
import { encodeNative } from './native-encoder.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { engineArgs } from './engine-memory.js';
import { loadChdb } from './chdb-loader.js';
import type { MemoryConfig } from '../../schemas/config.js';
import { removeStaleSpool, spoolFileName } from './spool-files.js';
import { releaseStartupPages } from './release-pages.js';
import type { AppliedMigration, FlowStore, MigrateOptions, LedgerEntry, ObjectProgress, PreparedFlows, QueryFormat } from './store.js';

const FORMATS: Record<QueryFormat, string> = { table: 'PrettyCompactMonoBlock', json: 'JSONEachRow', csv: 'CSVWithNames' };
let tmpSeq = 0;
/** Characters of reject JSON written to the spool file at a time. */
const REJECT_CHUNK = 1 << 20;

/** Quotes a string literal for ClickHouse SQL (only for values we generate, never user SQL). */
export const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export class ChdbStore implements FlowStore {
  readonly kind = 'embedded';
  private readonly session: Session;
  private readonly lock: DataDirLock;
  private readonly spool: string;
  /**
   * The last block's buffer, once its bytes are in the spool file: the next
   * block is encoded into it when it fits. A fresh 15-60 MB buffer per batch
   * left the freed ones to the C allocator, which kept them (measured ~45-55 MB
   * of peak RSS); reusing one also spares its page faults. Taken while in use,
   * so inserts of several committers sharing this store never share it.
   */
  private spare: Buffer | null = null;
  /** Buffers prepareFlows allocated itself: the only ones keep() may hold on to. */
  private readonly owned = new WeakSet<ArrayBufferLike>();

  /** `spoolDir`: store.spool_dir; `retentionDays`: store.retention_days, applied by migrate(); `memory`: the memory section (default: the small profile). */
  constructor(readonly dataDir: string, private readonly opts: { spoolDir?: string; retentionDays?: number; memory?: Partial<MemoryConfig> } = {}) {
    const dir = resolve(dataDir);
    // the engine binds a data path to one process: a second writer would corrupt it, so refuse clearly
    this.lock = lockDataDir(dataDir);
    try {
      this.session = new (loadChdb(opts.memory).Session)(join(dir, 'clickhouse'), { connectionArgs: engineArgs(opts.memory) });
    } catch (e) {
      this.lock.release();
      throw e;
    }
    // tmpfs keeps the Native block off the disk; containers with a small /dev/shm can point this elsewhere
    this.spool = opts.spoolDir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
    removeStaleSpool(this.spool);
  }

  async migrate(opts: MigrateOptions = {}): Promise<AppliedMigration[]> {
    if (opts.cluster) {
      throw new FlowlogError('USAGE', 'the embedded engine is one node: --cluster needs a ClickHouse server store',
        'set CLICKHOUSE_URL to a node of the cluster (or use --print to see the DDL without a store)');
    }
    const applied = await migrateStore({ exec: (sql) => this.exec(sql), queryRows: (sql) => this.queryRows(sql) }, this.opts.retentionDays);
    // the engine has started and run its first statements: what its start-up alone read can go
    if (this.opts.memory?.release_engine_pages !== false) releaseStartupPages();
    return applied;
  }

  async exec(sql: string): Promise<void> {
    try { await this.session.queryAsync(sql, { format: 'TSV' }); } catch (e) { throw queryError(e, sql); }
  }

  prepareFlows(batch: FlowBatch): PreparedFlows {
    // a reject-only batch is never inserted, so it must not take the spare (it would be dropped, not kept)
    if (batch.length === 0) return { rows: 0, columns: [], data: Buffer.alloc(0) };
    const block = encodeNative(batch, (size) => {
      const kept = this.spare;
      if (kept && kept.length >= size) { this.spare = null; return kept.subarray(0, size); }
      // room to grow: batches of one size differ by their strings. Never from Node's shared pool
      // (allocUnsafe of a few KB): keeping a pooled slice would hand out bytes other code still uses.
      const own = Buffer.allocUnsafeSlow(Math.ceil(size * 1.125));
      this.owned.add(own.buffer);
      return own.subarray(0, size);
    });
    return { rows: batch.length, columns: block.columns, data: block.data };
  }

  async insertPrepared(prepared: PreparedFlows, token: string): Promise<void> {
    if (prepared.rows > 0) await this.insertFile('flows', prepared.columns, prepared.data, 'Native', token, () => this.keep(prepared.data));
  }

  /** Keeps a block's whole buffer for the next one (the larger, if one is kept already). */
  private keep(data: Buffer): void {
    if (!this.owned.has(data.buffer) || data.buffer.byteLength < (this.spare?.length ?? 0)) return;
    this.spare = Buffer.from(data.buffer);
  }

  insertFlows(batch: FlowBatch, token: string): Promise<void> {
    return this.insertPrepared(this.prepareFlows(batch), token);
  }

  async insertRejects(items: readonly RejectedRecord[], token: string): Promise<void> {
    if (items.length === 0) return;
    // written to the spool file in pieces: a batch of rejects is never one string (binary raw text escapes to 6x its size)
    await this.insertFile('flows_rejected', ['source', 'position', 'reason', 'detail', 'raw'], (fd) => {
      let chunk = '';
      for (const r of items) {
        chunk += `${JSON.stringify(r)}\n`;
        if (chunk.length >= REJECT_CHUNK) { writeSync(fd, chunk); chunk = ''; }
      }
      if (chunk) writeSync(fd, chunk);
    }, 'JSONEachRow', token);
  }

  async insertJsonLines(table: string, columns: readonly string[], body: Buffer, token: string): Promise<void> {
    if (body.length > 0) await this.insertFile(table, columns, body, 'JSONEachRow', token);
  }

  async recordLedger(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const body = entries.map((e) => JSON.stringify({
      source_kind: e.sourceKind, object: e.object, identity: e.identity, batch_id: e.batchId,
      first_position: e.firstPosition, last_position: e.lastPosition, rows: e.rows, rejected: e.rejected,
      complete: e.complete ? 1 : 0, state: e.state ?? 'stored',
    })).join('\n');
    const cols = ['source_kind', 'object', 'identity', 'batch_id', 'first_position', 'last_position', 'rows', 'rejected', 'complete', 'state'];
    await this.insertFile('ingest_ledger', cols, Buffer.from(body), 'JSONEachRow', entries[0]!.batchId + (entries[0]!.state === 'intent' ? ':intent' : ''));
  }

  async ledgerState(sourceKind: LedgerEntry['sourceKind'], objects?: readonly string[]): Promise<Map<string, ObjectProgress>> {
    if (objects?.length === 0) return new Map();
    const rows = await this.queryRows<LedgerRow>(objects ? LEDGER_STATE_OF_SQL : LEDGER_STATE_SQL, { k: sourceKind, ...(objects ? { objects: JSON.stringify(objects) } : {}) });
    return new Map(rows.map((r) => [r.object, ledgerProgress(r)]));
  }

  async queryRows<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    const text = await this.run(sql, 'JSONEachRow', params);
    return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);
  }

  queryText(sql: string, format: QueryFormat, params?: Record<string, unknown>): Promise<string> {
    return this.run(sql, FORMATS[format], params);
  }

  async setReadOnly(): Promise<void> {
    await this.exec('SET readonly = 1'); // session-wide; read-only mode forbids changing it back
  }

  /**
   * Closes the session once nothing of the engine's is running: a query or an
   * insert still in flight (one a caller abandoned when it failed) keeps the
   * connection, and with it the data directory, until it ends; a store opened
   * after an early return was refused, and the lock released meanwhile would
   * let another process in while the engine still writes.
   */
  async close(): Promise<void> {
    this.session.close();
    try {
      await loadChdb().drainPending();
    } finally {
      this.lock.release();
    }
  }

  private async run(sql: string, format: string, params?: Record<string, unknown>): Promise<string> {
    try {
      const r = params ? await this.session.queryBindAsync(sql, params, { format }) : await this.session.queryAsync(sql, { format });
      return r.text();
    } catch (e) {
      throw queryError(e, sql);
    }
  }

  /** `data`: the block, or a writer that fills the file in pieces. */
  /** `written`: called once the data is in the spool file (its buffer is free again). */
  private async insertFile(table: string, columns: readonly string[], data: Buffer | ((fd: number) => void), format: string, token: string, written?: () => void): Promise<void> {
    const path = join(this.spool, spoolFileName(tmpSeq++, format));
    try {
      // Written in one synchronous call: fs.promises.writeFile goes in 512 KB chunks, each waiting for the
      // event loop, which the parser keeps busy, so a 28 MB block took ~0.25 s to reach the file while the
      // engine sat idle; one write to tmpfs takes ~10 ms of this thread. Inside the try: a write that fails
      // (a full tmpfs) leaves no partial file behind.
      if (Buffer.isBuffer(data)) { writeFileSync(path, data); written?.(); }
      else {
        const fd = openSync(path, 'w');
        try { data(fd); } finally { closeSync(fd); }
      }
      await this.session.queryAsync(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM file(${sqlString(path)}, '${format}')` +
        ` SETTINGS insert_deduplicate = 1, insert_deduplication_token = ${sqlString(`${table}:${token}`)},` +
        ' deduplicate_blocks_in_dependent_materialized_views = 1, max_insert_threads = 1',
        { format: 'TSV' });
    } catch (e) {
      throw new FlowlogError('STORE_INSERT_FAILED', `insert into ${table} failed: ${(e as Error).message}`,
        'the batch was not stored; the source position was not advanced, so a re-run retries it', { cause: e });
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }
}

function queryError(e: unknown, sql: string): FlowlogError {
  const msg = (e as Error).message.replace(/^Query failed: /, '');
  return new FlowlogError('STORE_QUERY_FAILED', msg, `the query was: ${sql.length > 300 ? `${sql.slice(0, 300)}…` : sql}`, { cause: e });
}
