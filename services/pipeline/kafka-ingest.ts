/**
 * A Kafka source wired to the pipeline: the consumer (sources/kafka) hands
 * each fetched partition batch to the message rounds (pipeline), which store
 * it through the committer; the consumer commits the group's offset after.
 */
import type { KafkaConfig } from 'kafkajs';
import { DEFAULT_CAPACITY, type BatchEnricher, type StoredBatch } from '../commit/committer.js';
import type { FormatPlan } from '../parse/aws/log-format.js';
import { KafkaSource, type KafkaFetchSettings } from '../sources/kafka/kafka-source.js';
import type { SourceHealth } from '../sources/source.js';
import type { FlowStore } from '../store/store.js';
import type { Limits } from '../../schemas/config.js';
import { MessageRounds, type MessageRoundStats, type NotifiedS3 } from './message-rounds.js';

export interface KafkaIngestOptions {
  kafka: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId' | 'logCreator'>;
  topics: string[];
  groupId: string;
  logFormat?: FormatPlan;
  /** Needed when topics carry S3 notifications: the client, and the buckets and prefixes it may fetch from. */
  s3?: NotifiedS3;
  /** Rows per insert (the configuration's batch.rows). */
  capacity?: number;
  /** The configuration's limits. */
  limits?: Partial<Limits>;
  sessionTimeoutMs?: number;
  fetch?: Partial<KafkaFetchSettings>;
  /** Partitions stored at once: one round is parsed while another's insert runs (default 2). */
  concurrency?: number;
  /** After each stored round: its partition, backlog behind it when fetched, rows and duration. */
  onRound?: (r: { partition: string; lag: number; messages: number; seconds: number }) => void;
  onStored?: (s: KafkaIngestStats) => void;
  /** After each stored batch: flows, rejects by reason, insert time, newest flow. */
  onBatch?: (b: StoredBatch) => void;
  enrich?: BatchEnricher;
  /** Partitions paused (true) or resumed (false) for backpressure. */
  onBackpressure?: (paused: boolean) => void;
  /** A failed start or a crashed consumer, with the wait before the next try (the source keeps trying). */
  onError?: (e: unknown, retryInMs?: number) => void;
  /** Each change of the source's state. */
  onHealth?: (h: SourceHealth) => void;
}

/** Two: on two cores one round is parsed while the other's insert runs (docs/performance.md). */
export const DEFAULT_KAFKA_CONCURRENCY = 2;

export type KafkaIngestStats = MessageRoundStats;

export class KafkaIngest {
  private readonly rounds: MessageRounds;
  private readonly source: KafkaSource;

  constructor(store: FlowStore, opts: KafkaIngestOptions) {
    // with S3 notifications possible the rounds store one at a time (MessageRounds.storeRound):
    // a second partition's batch fetched meanwhile would only wait, in memory, without heartbeats
    const concurrency = opts.s3 ? 1 : opts.concurrency ?? DEFAULT_KAFKA_CONCURRENCY;
    this.rounds = new MessageRounds(store, {
      capacity: opts.capacity ?? DEFAULT_CAPACITY,
      ...(opts.logFormat ? { logFormat: opts.logFormat } : {}), ...(opts.s3 ? { s3: opts.s3 } : {}), ...(opts.enrich ? { enrich: opts.enrich } : {}),
      ...(opts.onBatch ? { onBatch: opts.onBatch } : {}), ...(opts.onRound ? { onRound: opts.onRound } : {}), ...(opts.onStored ? { onStored: opts.onStored } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
    });
    this.source = new KafkaSource({
      kafka: opts.kafka, topics: opts.topics, groupId: opts.groupId,
      ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
      concurrency, ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.onBackpressure ? { onBackpressure: opts.onBackpressure } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}), ...(opts.onHealth ? { onHealth: opts.onHealth } : {}),
    }, this.rounds);
  }

  get stats(): KafkaIngestStats { return this.rounds.stats; }
  get isPaused(): boolean { return this.source.isPaused; }
  health() { return this.source.health(); }

  /** Never throws for Kafka's sake: a consumer that cannot start is retried in the background (health() says so). */
  async start(): Promise<void> {
    await this.rounds.load();
    await this.source.start();
  }

  backpressure(on: boolean): void { this.source.backpressure(on); }

  stop(): Promise<void> { return this.source.stop(); }
}
