/**
 * Kafka topics into the store with effectively-once delivery.
 *
 * Each kafkajs batch (one partition's fetch) becomes one store batch. Its
 * offsets are committed to Kafka only after its rows, its quarantine and its
 * ledger row are durably stored; the ledger keeps the stored offset per
 * partition, and a (re)started consumer skips what the ledger already has even
 * if Kafka's committed offset is older. While the store is slow or down the
 * handler waits (heartbeating), which stops fetching for that partition:
 * backpressure with bounded memory.
 *
 * A message holds VPC lines (format from a header line or the configured
 * log format), Azure flow-log JSON, or an S3 notification whose objects are
 * fetched and parsed (recorded in the ledger under s3, so a re-delivered
 * notification stores nothing twice). An undecodable message is quarantined
 * with its topic/partition/offset and never blocks the partition.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig } from 'kafkajs';
import { Batcher, DEFAULT_CAPACITY } from '../../batch/batcher.js';
import { RejectBatch } from '../../core/rejects.js';
import { decodeObject } from '../../decode/gzip.js';
import type { FormatPlan } from '../../parse/aws/log-format.js';
import { openObjectParser } from '../../parse/object-parser.js';
import type { FlowStore, ObjectProgress } from '../../store/store.js';
import { fetchS3Object } from '../s3/s3-source.js';
import { mayBeNotification, s3Notification, type NotifiedObject } from './s3-notification.js';

export interface KafkaIngestOptions {
  kafka: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId'>;
  topics: string[];
  groupId: string;
  logFormat?: FormatPlan;
  /** Needed when topics carry S3 notifications. */
  s3?: S3Client;
  capacity?: number;
  onStored?: (s: KafkaIngestStats) => void;
}

export interface KafkaIngestStats { messages: number; rows: number; rejected: number; batches: number; s3Objects: number; skippedMessages: number }

export class KafkaIngest {
  readonly stats: KafkaIngestStats = { messages: 0, rows: 0, rejected: 0, batches: 0, s3Objects: 0, skippedMessages: 0 };
  private consumer: Consumer | null = null;
  private stored = new Map<string, number>(); // topic/partition -> next offset not yet stored
  private s3Done = new Map<string, ObjectProgress>();
  private readonly batcher: Batcher;

  constructor(private readonly store: FlowStore, private readonly opts: KafkaIngestOptions) {
    this.batcher = new Batcher(store, {
      sourceKind: 's3',
      capacity: opts.capacity ?? DEFAULT_CAPACITY,
      onStored: (rows, rejected) => { this.stats.rows += rows; this.stats.rejected += rejected; },
    });
  }

  async start(): Promise<void> {
    for (const [k, v] of await this.store.ledgerState('kafka')) this.stored.set(k, v.storedRows);
    this.s3Done = await this.store.ledgerState('s3');
    const kafka = new Kafka({ ...this.opts.kafka, clientId: this.opts.kafka.clientId ?? 'flowlog', logLevel: logLevel.WARN });
    const consumer = kafka.consumer({
      groupId: this.opts.groupId,
      // fewer, larger fetches: each one becomes one insert
      minBytes: 1 << 20, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, maxWaitTimeInMs: 500,
      sessionTimeout: 45_000, heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    for (const topic of this.opts.topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
  }

  /** Graceful stop: kafkajs lets the batch in hand finish (stored and committed) before leaving the group. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const part = `${batch.topic}/${batch.partition}`;
    const from = this.stored.get(part) ?? -1;
    const base = `kafka:${part}`;
    let first = -1, last = -1;
    const rejects = new RejectBatch();
    const beat = setInterval(() => { heartbeat().catch(() => undefined); }, 3000);
    try {
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) break;
        const offset = Number(m.offset);
        last = offset;
        if (first < 0) first = offset;
        if (offset < from) { this.stats.skippedMessages++; continue; }
        this.stats.messages++;
        const value = m.value ?? Buffer.alloc(0);
        const where = `${base}@${offset}`;
        let data: Buffer;
        try { data = await decodeObject(value); } catch (e) {
          rejects.add(where, offset, 'DECODE', (e as Error).message, value.subarray(0, 512)); continue;
        }
        const notified = this.notification(data);
        if (notified) { await this.ingestNotified(notified, rejects, where); continue; }
        await this.batcher.ingestObject({ name: where, identity: '', noLedger: true }, openObjectParser(where, data, this.opts.logFormat ? { logFormat: this.opts.logFormat } : {}));
      }
      if (last < 0) return;
      await this.batcher.finish();
      if (rejects.length) await this.store.insertRejects(rejects.items, `${part}:${first}-${last}:obj`);
      // the ledger row makes the partition's progress durable in the store itself, before Kafka hears of it
      await this.store.recordLedger([{ sourceKind: 'kafka', object: part, identity: '', batchId: `${part}:${first}-${last}`,
        firstPosition: first, lastPosition: last + 1, rows: 0, rejected: rejects.length, complete: false }]);
      this.stored.set(part, last + 1);
      this.stats.rejected += rejects.length;
      this.stats.batches++;
      resolveOffset(String(last));
      await commitOffsetsIfNecessary();
      this.opts.onStored?.(this.stats);
    } finally {
      clearInterval(beat);
    }
  }

  private notification(data: Buffer): NotifiedObject[] | null {
    const head = data.toString('utf8', 0, Math.min(data.length, 2048));
    if (!head.trimStart().startsWith('{') || !mayBeNotification(head)) return null;
    try { return s3Notification(JSON.parse(data.toString('utf8'))); } catch { return null; }
  }

  private async ingestNotified(objects: NotifiedObject[], rejects: RejectBatch, where: string): Promise<void> {
    if (!this.opts.s3) { rejects.add(where, 0, 'DECODE', 'an S3 notification arrived but no S3 client is configured', JSON.stringify(objects).slice(0, 512)); return; }
    for (const o of objects) {
      const name = `s3://${o.bucket}/${o.key}`;
      const identity = `${o.etag}:${o.size}`;
      if (this.s3Done.get(name)?.complete && this.s3Done.get(name)?.identity === identity) continue; // re-delivered
      let data: Buffer;
      try { data = await decodeObject(await fetchS3Object(this.opts.s3, o)); } catch (e) {
        rejects.add(name, 0, 'DECODE', `${(e as Error).message} (announced by ${where})`, ''); continue;
      }
      await this.batcher.ingestObject({ name, identity, kind: 's3' }, openObjectParser(name, data, this.opts.logFormat ? { logFormat: this.opts.logFormat } : {}));
      this.s3Done.set(name, { identity, complete: true, storedRows: 0 });
      this.stats.s3Objects++;
    }
  }
}
