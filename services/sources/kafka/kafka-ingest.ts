/**
 * Kafka topics into the store with effectively-once delivery.
 *
 * Each kafkajs batch (one partition's fetch) is one round. Before its first
 * insert, the round's exact offset range is written to the ledger as an
 * intent; its offsets are committed to Kafka only after its rows, quarantine
 * and a 'stored' ledger row are durable. A (re)started consumer skips what the
 * ledger has stored (even if Kafka's committed offset is older) and replays a
 * pending intent exactly, so the batches and their dedup tokens are the same
 * as before the crash and the engine drops whatever had already landed.
 *
 * Backpressure: while the store is failing, backpressure(true) pauses every
 * assigned partition (no fetches at all, not only for the partition in hand)
 * and the handler waits, heartbeating, with one round in memory; the first
 * round stored afterwards resumes them.
 *
 * A message holds VPC lines (format from a header line or the configured
 * log format), Azure flow-log JSON, or an S3 notification whose objects are
 * fetched and parsed (recorded in the ledger under s3, so a re-delivered
 * notification stores nothing twice). An undecodable message is quarantined
 * with its topic/partition/offset and never blocks the partition.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig } from 'kafkajs';
import { Batcher, DEFAULT_CAPACITY, type BatchEnricher } from '../../commit/batcher.js';
import { FlowlogError } from '../../core/errors.js';
import { RejectBatch } from '../../core/rejects.js';
import { decodeObject } from '../../decode/gzip.js';
import type { FormatPlan } from '../../parse/aws/log-format.js';
import { openObjectParser, openRawObjectParser, type ObjectParser } from '../../parse/object-parser.js';
import type { FlowStore, ObjectProgress } from '../../store/store.js';
import { chTime } from '../../store/ch-time.js';
import { openS3Body } from '../s3/s3-body.js';
import { mayBeNotification, s3Notification, type NotifiedObject } from './s3-notification.js';

export interface KafkaIngestOptions {
  kafka: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId'>;
  topics: string[];
  groupId: string;
  logFormat?: FormatPlan;
  /** Needed when topics carry S3 notifications. */
  s3?: S3Client;
  capacity?: number;
  sessionTimeoutMs?: number;
  /** After each stored round: its partition, backlog behind it when fetched, rows and duration. */
  onRound?: (r: { partition: string; lag: number; messages: number; seconds: number }) => void;
  onStored?: (s: KafkaIngestStats) => void;
  /** After each stored batch: its flows and how long the store took. */
  onBatch?: (rows: number, seconds: number) => void;
  enrich?: BatchEnricher;
  /** Partitions paused (true) or resumed (false) for backpressure. */
  onBackpressure?: (paused: boolean) => void;
}

export interface KafkaIngestStats {
  messages: number; rows: number; rejected: number; batches: number; s3Objects: number; skippedMessages: number;
  /** Rounds run again because S3 could not deliver an object they name. */
  sourceRetries: number;
}

export class KafkaIngest {
  readonly stats: KafkaIngestStats = { messages: 0, rows: 0, rejected: 0, batches: 0, s3Objects: 0, skippedMessages: 0, sourceRetries: 0 };
  private consumer: Consumer | null = null;
  /** topic/partition -> stored end offset (exclusive) and any write-ahead intent beyond it. */
  private progress = new Map<string, ObjectProgress>();
  private s3Done = new Map<string, ObjectProgress>();
  private readonly batcher: Batcher;
  private paused = false;

  constructor(private readonly store: FlowStore, private readonly opts: KafkaIngestOptions) {
    this.batcher = new Batcher(store, {
      sourceKind: 's3',
      capacity: opts.capacity ?? DEFAULT_CAPACITY,
      ...(opts.enrich ? { enrich: opts.enrich } : {}),
      onStored: (rows, rejected, seconds) => { this.stats.rows += rows; this.stats.rejected += rejected; opts.onBatch?.(rows, seconds); },
    });
  }

  async start(): Promise<void> {
    this.progress = await this.store.ledgerState('kafka');
    this.s3Done = await this.store.ledgerState('s3');
    const kafka = new Kafka({ ...this.opts.kafka, clientId: this.opts.kafka.clientId ?? 'flowlog', logLevel: logLevel.WARN });
    const consumer = kafka.consumer({
      groupId: this.opts.groupId,
      // fewer, larger fetches: each one becomes one insert
      minBytes: 1 << 20, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, maxWaitTimeInMs: 500,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 30_000, rebalanceTimeout: Math.max(this.opts.sessionTimeoutMs ?? 30_000, 10_000),
      heartbeatInterval: Math.min(3_000, Math.floor((this.opts.sessionTimeoutMs ?? 30_000) / 3)),
    });
    this.consumer = consumer;
    await consumer.connect();
    for (const topic of this.opts.topics) {
      try { await consumer.subscribe({ topic, fromBeginning: true }); } catch (e) {
        await consumer.disconnect().catch(() => undefined);
        throw new FlowlogError('SOURCE_NOT_FOUND', `Kafka topic "${topic}" cannot be subscribed to: ${(e as Error).message}`,
          'create the topic (kafka-topics.sh --create --topic ...), check its name, or let the broker create topics (auto.create.topics.enable=true)', { cause: e });
      }
    }
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
  }

  get isPaused(): boolean { return this.paused; }

  /** Pauses (true) or resumes (false) fetching from every subscribed topic; idempotent. */
  backpressure(on: boolean): void {
    if (!this.consumer || on === this.paused) return;
    this.paused = on;
    const topics = this.opts.topics.map((topic) => ({ topic }));
    if (on) this.consumer.pause(topics); else this.consumer.resume(topics);
    this.opts.onBackpressure?.(on);
  }

  /** Graceful stop: kafkajs lets the batch in hand finish (stored and committed) before leaving the group. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const part = `${batch.topic}/${batch.partition}`;
    const progress = this.progress.get(part);
    const from = progress?.storedRows ?? 0;
    const intent = progress?.intent;
    // A pending intent is replayed exactly: same first offset, same end, so the same batches and dedup tokens.
    const take = batch.messages.filter((m) => Number(m.offset) >= from && (!intent || Number(m.offset) < intent.end));
    const skipped = batch.messages.filter((m) => Number(m.offset) < from).length;
    this.stats.skippedMessages += skipped;
    if (take.length === 0) {
      if (skipped > 0) { resolveOffset(batch.messages[skipped - 1]!.offset); await commitOffsetsIfNecessary(); }
      return;
    }
    const first = Number(take[0]!.offset), last = Number(take[take.length - 1]!.offset);
    const roundStart = performance.now();
    const lag = Number(batch.offsetLag()); // messages behind this round's last one, when it was fetched
    const replay = intent !== undefined;
    if (replay && (first !== intent.first || last + 1 !== intent.end)) {
      process.stderr.write(`${JSON.stringify({ event: 'kafka.replay_mismatch', partition: part, intent, fetched: { first, end: last + 1 } })}\n`);
    }
    if (!replay) {
      // write-ahead: the exact range this round will store, before any of it is stored
      await this.store.recordLedger([{ sourceKind: 'kafka', object: part, identity: '', batchId: `${part}:${first}-${last}`,
        firstPosition: first, lastPosition: last + 1, rows: 0, rejected: 0, complete: false, state: 'intent' }]);
    }
    const base = `kafka:${part}`;
    // objects a notification names are skipped when stored before this round began, or earlier in it (re-delivered).
    // A retry of the round, or its replay after a crash (stored before its intent was written), decides the same
    // way, so its batches, and their dedup tokens, are the same. this.s3Done only learns a round's objects when
    // the round is stored, so during the round it is the state the round began with.
    const storedBefore = replay ? await this.storedBeforeIntent(intent.at) : this.s3Done;
    const beat = setInterval(() => { heartbeat().catch(() => undefined); }, 1000);
    try {
      let rejects: RejectBatch;
      let doneNow: Map<string, ObjectProgress>;
      for (let attempt = 0; ; attempt++) {
        rejects = new RejectBatch();
        doneNow = new Map();
        try {
          for (const m of take) {
            if (!isRunning() || isStale()) return; // not stored, not committed: the intent replays it
            const offset = Number(m.offset);
            const value = m.value ?? Buffer.alloc(0);
            const where = `${base}@${offset}`;
            let data: Buffer;
            try { data = await decodeObject(value); } catch (e) {
              rejects.add(where, offset, 'DECODE', (e as Error).message, value.subarray(0, 512)); continue;
            }
            const notified = this.notification(data);
            if (notified) { await this.ingestNotified(notified, rejects, where, storedBefore, doneNow); continue; }
            await this.batcher.ingestObject({ name: where, identity: '', noLedger: true }, openObjectParser(where, data, this.opts.logFormat ? { logFormat: this.opts.logFormat } : {}));
          }
          await this.batcher.finish();
          break;
        } catch (e) {
          // an object S3 could not deliver: nothing of this round is committed; it is run again, the same way, until S3 answers
          if (!FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) throw e;
          await this.batcher.discard();
          this.stats.sourceRetries++;
          const waitMs = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
          process.stderr.write(`${JSON.stringify({ event: 'source.unavailable', partition: part, offsets: [first, last], attempt: attempt + 1, retry_in_ms: waitMs, reason: e.message })}\n`);
          await sleep(waitMs);
          if (!isRunning() || isStale()) return;
        }
      }
      this.stats.messages += take.length;
      if (rejects.length) await this.store.insertRejects(rejects.items, `${part}:${first}-${last}:obj`);
      await this.store.recordLedger([{ sourceKind: 'kafka', object: part, identity: '', batchId: `${part}:${first}-${last}`,
        firstPosition: first, lastPosition: last + 1, rows: 0, rejected: rejects.length, complete: false, state: 'stored' }]);
      this.progress.set(part, { identity: '', complete: false, storedRows: last + 1 });
      for (const [name, p] of doneNow) this.s3Done.set(name, p); // only now: a round run again decides as this one did
      this.backpressure(false); // the store took a whole round: it has caught up
      this.stats.rejected += rejects.length;
      this.stats.batches++;
      resolveOffset(String(last));
      await commitOffsetsIfNecessary();
      this.opts.onRound?.({ partition: part, lag, messages: take.length, seconds: (performance.now() - roundStart) / 1000 });
      this.opts.onStored?.(this.stats);
    } finally {
      clearInterval(beat);
    }
  }

  /** S3 objects whose ledger says complete before `at`: what the round that wrote an intent at `at` skipped. */
  private async storedBeforeIntent(at: Date | undefined): Promise<Map<string, ObjectProgress>> {
    if (!at) return new Map(); // an intent from before intents had times: parse every object, as then
    const rows = await this.store.queryRows<{ object: string; identity: string }>(
      `SELECT object, argMax(identity, ingested_at) AS identity FROM ingest_ledger
        WHERE source_kind = 's3' AND complete = 1 AND ingested_at < {at:DateTime64(3, 'UTC')} GROUP BY object`, { at: chTime(at) });
    return new Map(rows.map((r) => [r.object, { identity: r.identity, complete: true, storedRows: 0 }]));
  }

  private notification(data: Buffer): NotifiedObject[] | null {
    const head = data.toString('utf8', 0, Math.min(data.length, 2048));
    if (!head.trimStart().startsWith('{') || !mayBeNotification(head)) return null;
    try { return s3Notification(JSON.parse(data.toString('utf8'))); } catch { return null; }
  }

  /** Objects in `storedBefore` (before the round) or `doneNow` (earlier in it) are skipped as re-delivered; what this stores joins `doneNow`. */
  private async ingestNotified(objects: NotifiedObject[], rejects: RejectBatch, where: string,
    storedBefore: ReadonlyMap<string, ObjectProgress>, doneNow: Map<string, ObjectProgress>): Promise<void> {
    if (!this.opts.s3) { rejects.add(where, 0, 'DECODE', 'an S3 notification arrived but no S3 client is configured', JSON.stringify(objects).slice(0, 512)); return; }
    for (const o of objects) {
      const name = `s3://${o.bucket}/${o.key}`;
      const identity = `${o.etag}:${o.size}`;
      const before = doneNow.get(name) ?? storedBefore.get(name);
      if (before?.complete && before.identity === identity) continue; // re-delivered
      let parser: ObjectParser;
      try { parser = await openRawObjectParser(name, await openS3Body(this.opts.s3, o), this.opts.logFormat ? { logFormat: this.opts.logFormat } : {}); } catch (e) {
        if (FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) throw e;
        rejects.add(name, 0, 'DECODE', `${(e as Error).message} (announced by ${where})`, ''); continue;
      }
      await this.batcher.ingestObject({ name, identity, kind: 's3' }, parser);
      doneNow.set(name, { identity, complete: true, storedRows: 0 });
      this.stats.s3Objects++;
    }
  }
}
