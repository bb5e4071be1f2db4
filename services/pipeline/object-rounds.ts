/**
 * An object source (a local folder, an S3 prefix) as `flowlog run` drives it:
 * rounds of list -> skip what the ledger has -> ingest, once (a folder, a
 * backfill) or every poll interval. A poll of a prefix listed by day folders
 * keeps a durable cursor (sources/s3/poll-cursor.ts says where it moves,
 * commit/cursor.ts stores it) so a round lists a few days, not every day
 * since `from`.
 *
 * A failing round (server down, bucket missing, credentials refused) is logged
 * with its code and tried again with backoff; other sources keep running.
 */
import { retryDelayMs, Sleeper } from '../core/backoff.js';
import { EVENTS, failedEvent } from '../telemetry/event-names.js';
import type { Source, SourceHealth, SourceKind, ObjectSource, SourceObjectRef } from '../sources/source.js';
import { keyTime, listsByDay } from '../sources/s3/key-date.js';
import { nextCursor, pollFrom } from '../sources/s3/poll-cursor.js';
import { parseS3Uri, type S3Object } from '../sources/s3/s3-source.js';
import { moveCursor, readCursor } from '../commit/cursor.js';
import type { FlowStore } from '../store/store.js';
import { errorFields, log as rootLog } from '../telemetry/log.js';
import { addSummary, emptySummary, ingestObjects, type IngestOptions, type IngestSummary } from './ingest.js';
import type { SharedRounds } from './shared-rounds.js';

/** An S3 poll's durable cursor: for prefixes listed by day folders. */
export interface CursorPlan {
  /** Stable for the source (its name and URI). */
  key: string;
  prefix: string;
  /** The configured start: never list before it. */
  from?: Date;
  lookbackMs: number;
}

export interface ObjectRoundsOptions {
  name: string;
  kind: SourceKind;
  /** The source for one round, listing from `from` (the cursor less the lookback, or the configured start); closed after the round. */
  open(from: Date | undefined): { source: ObjectSource<SourceObjectRef>; close?(): void };
  cursor?: CursorPlan;
  /** Poll: a round every interval. Absent: one round (a folder, a backfill). */
  intervalMs?: number;
  ingest: IngestOptions;
  onRound?: (s: IngestSummary) => void;
  /** A failed round, with the wait before the next (logged and counted by the caller). */
  onError?: (e: unknown, retryInMs: number) => void;
  /** Each change of the source's state (running, failed with its error, stopped): /healthz and flowlog_source_up. */
  onHealth?: (h: SourceHealth) => void;
  /** Poll with several instances: rounds run only while this instance holds the lease (run/lease.ts). */
  lease?: RoundLease;
  /**
   * A poll on the embedded store: each listing page is stored in rounds that
   * share batches, written ahead (shared-rounds.ts), instead of in batches per
   * object. The store has one writer, and a round cut short is replayed
   * exactly, however the next listing differs.
   */
  shared?: SharedRounds;
  /** After the last round (a client the source holds across rounds). */
  close?(): void;
}

/** What a poll needs of its lease: refresh() claims and renews (in the store), held() says whether rounds may run now. */
export interface RoundLease { readonly termMs: number; refresh(): Promise<boolean>; held(): boolean }

export class ObjectRounds implements Source {
  readonly name: string;
  readonly kind: SourceKind;
  done: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly sleeper = new Sleeper();
  private state: SourceHealth = { state: 'starting' };
  private readonly log;

  constructor(private readonly store: FlowStore, private readonly opts: ObjectRoundsOptions) {
    this.name = opts.name;
    this.kind = opts.kind;
    this.log = rootLog.child({ source: opts.name });
  }

  health(): SourceHealth { return this.state; }

  async start(): Promise<void> {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.done;
  }

  /**
   * Renews the lease all along, through rounds and the sleeps between them, so
   * a poll interval longer than the lease's term does not let it lapse; a
   * standby instance's renewal is what claims a term nobody renewed.
   */
  private renewing(lease: RoundLease): () => void {
    const beat = setInterval(() => { lease.refresh().catch(() => undefined); }, Math.max(250, Math.floor(lease.termMs / 4)));
    return () => clearInterval(beat);
  }

  /** One round: what a backfill does once and a poll does each interval. */
  async round(): Promise<IngestSummary> {
    const c = this.opts.cursor;
    const cursor = c ? await readCursor(this.store, c.key) : null;
    const opened = this.opts.open(c ? pollFrom(c.prefix, c.from, cursor, c.lookbackMs) : undefined);
    try {
      // the listing arrives page by page and is never held whole: only its newest dated key is kept for the cursor
      // typed by the cast, not narrowed to null: onListed assigns it where control flow cannot see
      let newest = null as { key: string; t: number } | null;
      const onListed = (page: readonly SourceObjectRef[]) => {
        for (const o of page as readonly S3Object[]) {
          const t = keyTime(o.key)?.getTime();
          if (t !== undefined && (!newest || t > newest.t)) newest = { key: o.key, t };
        }
      };
      const lease = this.opts.lease;
      const s = this.opts.shared ? await this.sharedRound(this.opts.shared, opened.source as ObjectSource<S3Object>, onListed)
        // a lease means other instances: one may still be storing what this round lists (ingest.ts, sharedWriterCuts)
        : await ingestObjects(this.store, opened.source, { ...this.opts.ingest, onListed, ...(lease ? { keepGoing: () => lease.held(), batchCuts: 'per-object' as const } : {}) });
      // a round its lease's end cut short did not reach every listed object: the cursor stays (see cursor.ts)
      if (c && listsByDay(c.prefix) && !s.stoppedEarly) {
        const next = nextCursor(newest ? [newest.key] : [], s.unfinished.map((u) => parseS3Uri(u.object).prefix), cursor);
        if (next && next.getTime() !== cursor?.getTime()) await moveCursor(this.store, c.key, next);
      }
      return s;
    } finally { opened.close?.(); }
  }

  /**
   * A listing stored page by page in shared rounds: while one page is stored,
   * the next is listed and its first objects fetched (two pages in hand).
   */
  private async sharedRound(shared: SharedRounds, source: ObjectSource<S3Object>, onListed: (page: readonly SourceObjectRef[]) => void): Promise<IngestSummary> {
    const t0 = performance.now();
    const s = emptySummary();
    const pending: Promise<IngestSummary>[] = [];
    try {
      for await (const page of source.list()) {
        onListed(page);
        if (this.stopping) { s.stoppedEarly = true; break; }
        const p = shared.storeObjects(page);
        p.catch(() => undefined); // awaited in order below
        pending.push(p);
        if (pending.length > 1) addSummary(s, await pending.shift()!);
      }
      while (pending.length > 0) addSummary(s, await pending.shift()!);
    } finally {
      await Promise.allSettled(pending); // nothing of a failed round goes on after it
    }
    s.seconds = (performance.now() - t0) / 1000;
    return s;
  }

  private async loop(): Promise<void> {
    const lease = this.opts.lease;
    const stopRenewing = lease ? this.renewing(lease) : () => undefined;
    try { await this.rounds(); } finally { stopRenewing(); this.opts.close?.(); }
    this.setState({ state: 'stopped' });
  }

  private async rounds(): Promise<void> {
    const every = this.opts.intervalMs ?? 0;
    const lease = this.opts.lease;
    let failures = 0;
    for (;;) {
      try {
        // another instance polls this prefix: stand by, looking again a few times a term to take over when it stops
        if (lease && !(lease.held() || await lease.refresh())) {
          this.setState({ state: 'standby' });
          if (this.stopping) break;
          await this.sleep(Math.min(every || lease.termMs, Math.max(250, Math.floor(lease.termMs / 4))));
          if (this.stopping) break;
          continue;
        }
        if (this.state.state !== 'failed') this.setState({ state: 'running' });
        const s = await this.round();
        failures = 0;
        this.setState({ state: 'running' });
        this.opts.onRound?.(s);
        // left for the next round (poll) or the next run: the ledger has them as unfinished
        for (const u of s.unfinished) this.log.warn(EVENTS.sourceUnfinished, { object: u.object, reason: u.reason });
        if (!every) break;
      } catch (e) {
        const f = errorFields(e);
        this.setState({ state: 'failed', error: { code: String(f.code), message: String(f.error), at: new Date().toISOString() } });
        const waitMs = retryDelayMs(failures++);
        // one line per failure: the caller's (which also counts it), else our own
        if (this.opts.onError) this.opts.onError(e, waitMs);
        else this.log.error(failedEvent('source'), { ...f, retry_in_ms: waitMs });
        if (this.stopping) break;
        await this.sleep(waitMs);
        if (this.stopping) break;
        continue;
      }
      if (this.stopping) break;
      await this.sleep(every);
      if (this.stopping) break;
    }
  }

  private setState(h: SourceHealth): void {
    const changed = h.state !== this.state.state || h.error?.code !== this.state.error?.code;
    this.state = h;
    if (changed) this.opts.onHealth?.(h);
  }

  /** A sleep stop() cuts short, so SIGTERM never waits out a poll interval. */
  private sleep(ms: number): Promise<void> { return this.sleeper.sleep(ms); }
}
