/**
 * What every flow source hands the pipeline. Sources list and fetch; they never
 * write the ledger, make dedup tokens or quarantine (services/commit does).
 */
import type { ObjectBody } from '../decode/stream.js';
import type { LedgerEntry } from '../store/store.js';

/** An object a source can list and fetch: `name` is its ledger key, `identity` changes when its content does. */
export interface SourceObjectRef { name: string; identity: string; size: number }

export interface ObjectSource<O extends SourceObjectRef> {
  kind: LedgerEntry['sourceKind'];
  /**
   * The objects, a page at a time, in a stable order (a re-run visits them in
   * the same order). Pages are fetched while the previous page's objects are,
   * and nothing holds the whole listing: a backfill's memory does not grow
   * with its number of objects.
   */
  list(): AsyncIterable<readonly O[]>;
  /** The object's bytes, whole or as a stream (S3 bodies are parsed while they download). */
  fetch(obj: O): Promise<ObjectBody>;
  /** Most objects fetched ahead of the one being parsed (network sources want many small GETs in flight). */
  readAhead?: number;
  /** Most bytes fetched ahead (a streamed object counts its read-ahead window): large objects are few at a time. */
  readAheadBytes?: number;
  /**
   * The object a write-ahead intent names, if it is still the version named
   * (`identity`); null when it is gone or changed. A restart stores a batch
   * left pending again from these (pipeline/ingest.ts).
   */
  ref?(name: string, identity: string): Promise<O | null>;
}


/** One message of a message source (a Kafka record): its position in its stream and its bytes. */
export interface SourceMessage { offset: number; value: Buffer | null }

/**
 * What a message source lets the pipeline ask while a round is stored. The
 * source keeps its own lease on the stream alive (Kafka heartbeats) for as
 * long as it holds the round's batch.
 */
export interface RoundControl {
  /** False once the source is stopping or lost the stream (rebalance): abandon, nothing is committed. */
  isRunning(): boolean;
  /**
   * At most once, before the outcome: the round no longer needs the source to
   * hold its batch. Every message is parsed, the round's write-ahead intent is
   * durable (a restart or another consumer replays it exactly) and its last
   * insert is on its way. The source may fetch on from `through` (exclusive end
   * of the round) while the round is stored; it acknowledges only once the
   * outcome says stored, and must refetch from the round's start if it fails.
   */
  released?(through: number): void;
}

/**
 * Where a message source hands its messages: the pipeline stores a round and
 * says up to which position (exclusive) the source may acknowledge, and
 * whether it stored anything (the store answered) or only skipped what was
 * stored before; or null when it abandoned the round (the source must not
 * acknowledge; a restart replays it).
 */
export interface MessageSink {
  storeRound(stream: string, messages: readonly SourceMessage[], ctl: RoundControl, lag: number): Promise<RoundOutcome | null>;
  /**
   * The source's streams were handed out anew (a consumer group rebalance):
   * another consumer may have stored, or left a pending intent on, a stream
   * this one gets now, so what the sink knows of each stream is stale.
   */
  reassigned?(): void;
}

export interface RoundOutcome { through: number; stored: boolean }

/** standby: another instance holds this source's lease (an S3 poll) and reads it; this one takes over if that one stops. */
export type SourceState = 'starting' | 'running' | 'waiting' | 'standby' | 'failed' | 'stopped';

export interface SourceHealth {
  state: SourceState;
  /** The last error, with its stable code, while it is unresolved. */
  error?: { code: string; message: string; at: string };
}

/**
 * A configured source as `flowlog run` drives it: started once, stopped on
 * shutdown (finishing and committing what it holds), asked for its health.
 * `done` settles when a finite source (a backfill, a folder) has nothing left.
 */
export interface Source {
  readonly name: string;
  readonly kind: SourceKind;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): SourceHealth;
  readonly done: Promise<void>;
}

export type SourceKind = 'local' | 's3' | 'kafka' | 'sqs';
