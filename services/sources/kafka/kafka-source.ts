/**
 * Kafka topics as a message source: a consumer group member that hands each
 * fetched batch (one partition) to the pipeline as a round, and commits the
 * partition's offset to the group only once the pipeline says the round is
 * durable. The ledger, not the group's offset, is what exactly-once rests on;
 * the committed offset is what lag tools read and where a restart fetches
 * from, so it must move as the ledger does.
 *
 * Backpressure: while the store is failing, backpressure(true) pauses every
 * subscribed topic (no fetches at all, not only for the partition in hand);
 * the round in hand waits, heartbeating, and the first round stored
 * afterwards resumes them.
 */
import { EVENTS } from '../../telemetry/event-names.js';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig } from 'kafkajs';
import { FlowlogError } from '../../core/errors.js';
import type { MessageSink, SourceHealth } from '../source.js';
import { errorFields, log, type Logger } from '../../telemetry/log.js';

/** Fetch sizing: fewer, larger fetches, each one becomes one round and one insert. */
export interface KafkaFetchSettings { minBytes: number; maxBytes: number; maxBytesPerPartition: number; maxWaitMs: number }

export const DEFAULT_FETCH: KafkaFetchSettings = { minBytes: 1 << 20, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, maxWaitMs: 500 };

export interface KafkaSourceOptions {
  kafka: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId' | 'logCreator'>;
  topics: string[];
  groupId: string;
  sessionTimeoutMs?: number;
  fetch?: Partial<KafkaFetchSettings>;
  /** Partitions paused (true) or resumed (false) for backpressure. */
  onBackpressure?: (paused: boolean) => void;
}

export class KafkaSource {
  private consumer: Consumer | null = null;
  private paused = false;
  private state: SourceHealth = { state: 'starting' };
  private readonly log: Logger;

  constructor(private readonly opts: KafkaSourceOptions, private readonly sink: MessageSink) {
    this.log = log.child({ source: opts.kafka.clientId ?? 'kafka' });
  }

  async start(): Promise<void> {
    const { opts } = this;
    const session = opts.sessionTimeoutMs ?? 30_000;
    const fetch = { ...DEFAULT_FETCH, ...opts.fetch };
    const kafka = new Kafka({ ...opts.kafka, clientId: opts.kafka.clientId ?? 'flowlog', logLevel: logLevel.WARN });
    const consumer = kafka.consumer({
      groupId: opts.groupId,
      minBytes: fetch.minBytes, maxBytes: fetch.maxBytes, maxBytesPerPartition: fetch.maxBytesPerPartition, maxWaitTimeInMs: fetch.maxWaitMs,
      sessionTimeout: session, rebalanceTimeout: Math.max(session, 10_000),
      heartbeatInterval: Math.min(3_000, Math.floor(session / 3)),
    });
    this.consumer = consumer;
    await consumer.connect();
    for (const topic of opts.topics) {
      try { await consumer.subscribe({ topic, fromBeginning: true }); } catch (e) {
        await consumer.disconnect().catch(() => undefined);
        this.state = { state: 'failed', error: { code: 'SOURCE_NOT_FOUND', message: (e as Error).message, at: new Date().toISOString() } };
        throw new FlowlogError('SOURCE_NOT_FOUND', `Kafka topic "${topic}" cannot be subscribed to: ${(e as Error).message}`,
          'create the topic (kafka-topics.sh --create --topic ...), check its name, or let the broker create topics (auto.create.topics.enable=true)', { cause: e });
      }
    }
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    this.state = { state: 'running' };
  }

  get isPaused(): boolean { return this.paused; }

  health(): SourceHealth { return this.paused ? { ...this.state, state: 'waiting' } : this.state; }

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
    this.state = { state: 'stopped' };
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const stream = `${batch.topic}/${batch.partition}`;
    const messages = batch.messages.map((m) => ({ offset: Number(m.offset), value: m.value }));
    const lag = Number(batch.offsetLag()); // messages behind this round's last one, when it was fetched
    const outcome = await this.sink.storeRound(stream, messages, { isRunning: () => isRunning() && !isStale(), heartbeat }, lag);
    if (outcome === null) return; // abandoned: nothing acknowledged, the ledger's intent replays it
    if (outcome.stored) this.backpressure(false); // the store took a whole round: it has caught up
    resolveOffset(String(outcome.through - 1));
    // autoCommit is off, so kafkajs commits nothing by itself: the group's offset is the next one to read.
    // A commit refused mid-rebalance is not an error of the round: it is stored (the ledger says so, and a
    // re-delivery is skipped), and the next round's commit covers it.
    try {
      await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(outcome.through) }]);
    } catch (e) {
      this.log.warn(EVENTS.kafkaCommitFailed, { partition: stream, offset: outcome.through, ...errorFields(e) });
    }
  }
}
