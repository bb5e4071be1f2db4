/**
 * Kafka topics as a message source: a consumer group member that hands each
 * fetched batch (one partition) to the pipeline as a round, and commits the
 * partition's offset to the group only once the pipeline says the round is
 * durable. The ledger, not the group's offset, is what exactly-once rests on;
 * the committed offset is what lag tools read and where a restart fetches
 * from, so it must move as the ledger does.
 *
 * Fetching goes on while rounds are stored: once a round's messages are
 * parsed and its intent is durable (RoundControl.released), the batch is
 * handed back to kafkajs, which fetches the next while the round's inserts
 * run. kafkajs fetches from one broker one batch set at a time, so without
 * this every fetch waited for the last insert before it. One round of a
 * partition at a time still: a partition's next batch waits for its round
 * before to be stored. The group's offset is committed only then; a round
 * that fails after it was handed back seeks its partition back to its start,
 * drops the batch fetched before the seek, and is retried when fetched again
 * (the rounds replay its intent exactly).
 *
 * Backpressure: while the store is failing, backpressure(true) pauses every
 * subscribed topic (no fetches at all, not only for the partition in hand);
 * the round in hand waits, heartbeating, and the first round stored
 * afterwards resumes them.
 *
 * Supervised: a start that fails (brokers unreachable, a topic that cannot be
 * subscribed) or a consumer that crashes for good (kafkajs gives up, e.g. a
 * topic deleted under it) is reported with its code and tried again with
 * backoff (core/backoff.ts); it never throws out of start(), so one broken
 * source cannot take `flowlog run` and the other sources down.
 */
import { EVENTS } from '../../telemetry/event-names.js';
import { Kafka, logLevel, type Batch, type Consumer, type EachBatchPayload, type KafkaConfig } from 'kafkajs';
import { retryDelayMs, Sleeper } from '../../core/backoff.js';
import { FlowlogError } from '../../core/errors.js';
import type { MessageSink, RoundOutcome, SourceHealth } from '../source.js';
import { errorFields, log, type Logger } from '../../telemetry/log.js';

/** Fetch sizing: fewer, larger fetches; each partition's share of a fetch becomes a round (or the part of it that fills whole batches). */
export interface KafkaFetchSettings { minBytes: number; maxBytes: number; maxBytesPerPartition: number; maxWaitMs: number }

export const DEFAULT_FETCH: KafkaFetchSettings = { minBytes: 1 << 20, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, maxWaitMs: 500 };

export interface KafkaSourceOptions {
  kafka: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl' | 'clientId' | 'logCreator'>;
  topics: string[];
  groupId: string;
  sessionTimeoutMs?: number;
  fetch?: Partial<KafkaFetchSettings>;
  /** Partitions whose rounds are stored at once (default 1): the sink must take rounds of different streams concurrently. */
  concurrency?: number;
  /** Partitions paused (true) or resumed (false) for backpressure. */
  onBackpressure?: (paused: boolean) => void;
  /** A failure (start, crash), with the wait before the next try: logged and counted by the caller. */
  onError?: (e: unknown, retryInMs?: number) => void;
  /** Each change of state (running, failed with its error, stopped): /healthz and flowlog_source_up. */
  onHealth?: (h: SourceHealth) => void;
}

/** A kafkajs failure as a typed error: a topic that is not there, or a cluster that does not answer. */
function kafkaError(e: unknown, topics: readonly string[]): FlowlogError {
  if (e instanceof FlowlogError) return e;
  const type = (e as { type?: string }).type ?? '';
  const msg = (e as Error).message ?? String(e);
  if (/SASL|AUTHORIZATION|AUTHENTICATION/i.test(`${type} ${(e as Error).name ?? ''}`)) {
    return new FlowlogError('SOURCE_ACCESS_DENIED', `Kafka: ${msg}`, 'check the source\'s sasl user and password and the ACLs on its topics and group', { cause: e });
  }
  if (/UNKNOWN_TOPIC|INVALID_TOPIC/.test(type) || /topic/i.test(msg)) {
    return new FlowlogError('SOURCE_NOT_FOUND', `Kafka topics ${topics.join(', ')}: ${msg}`,
      'create the topic (kafka-topics.sh --create --topic ...) or fix its name: flowlog never creates topics, and keeps trying', { cause: e });
  }
  return new FlowlogError('SOURCE_UNAVAILABLE', `Kafka: ${msg}`, 'check that the brokers are reachable from here and the credentials; flowlog keeps trying', { cause: e });
}

export class KafkaSource {
  private consumer: Consumer | null = null;
  private paused = false;
  private state: SourceHealth = { state: 'starting' };
  private readonly log: Logger;
  private readonly sleeper = new Sleeper();
  private stopping = false;
  private failures = 0;
  private retrying: Promise<void> | null = null;
  /** stream -> its round still being stored after its batch was handed back to kafkajs (never rejects). */
  private readonly storing = new Map<string, Promise<void>>();
  /** stream -> first offset of its handed-back round that failed: the partition was sought back there. */
  private readonly soughtBack = new Map<string, number>();
  /** Counts group joins: a round handed back in an earlier generation does not commit (its partition may be another's now). */
  private generation = 0;

  constructor(private readonly opts: KafkaSourceOptions, private readonly sink: MessageSink) {
    this.log = log.child({ source: opts.kafka.clientId ?? 'kafka' });
  }

  /** Starts consuming; on failure keeps trying in the background (see health()), never throws. */
  async start(): Promise<void> {
    if (!(await this.attempt())) this.retrying ??= this.retry();
  }

  /** One start: connect, subscribe, run. False (reported, consumer closed) when it failed. */
  private async attempt(): Promise<boolean> {
    try {
      await this.connect();
      this.failures = 0;
      this.setState({ state: 'running' });
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private async retry(): Promise<void> {
    try {
      while (!this.stopping) {
        await this.sleeper.sleep(retryDelayMs(this.failures - 1));
        if (this.stopping || await this.attempt()) return;
      }
    } finally { this.retrying = null; }
  }

  /** Reported with the wait before flowlog's next try; `ours` false: kafkajs restarts the consumer itself. */
  private fail(e: unknown, ours = true): void {
    const err = kafkaError(e, this.opts.topics);
    this.setState({ state: 'failed', error: { code: err.code, message: err.message, at: new Date().toISOString() } });
    this.opts.onError?.(err, ours ? retryDelayMs(this.failures++) : undefined);
  }

  private async connect(): Promise<void> {
    const { opts } = this;
    const session = opts.sessionTimeoutMs ?? 30_000;
    const fetch = { ...DEFAULT_FETCH, ...opts.fetch };
    const kafka = new Kafka({ ...opts.kafka, clientId: opts.kafka.clientId ?? 'flowlog', logLevel: logLevel.WARN });
    const consumer = kafka.consumer({
      groupId: opts.groupId,
      minBytes: fetch.minBytes, maxBytes: fetch.maxBytes, maxBytesPerPartition: fetch.maxBytesPerPartition, maxWaitTimeInMs: fetch.maxWaitMs,
      sessionTimeout: session, rebalanceTimeout: Math.max(session, 10_000),
      heartbeatInterval: Math.min(3_000, Math.floor(session / 3)),
      // a consumer never creates topics: a typo or a deleted topic is a fault to show and retry,
      // not an empty topic made behind the operator's back (where nothing will ever arrive)
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer itself within a second, right for a broker blip; for a
      // topic that is gone that is a crash a second, so flowlog takes over with its backoff instead
      retry: { restartOnFailure: async (e: Error) => kafkaError(e, opts.topics).code !== 'SOURCE_NOT_FOUND' },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.onCrash(consumer, payload.error, payload.restart));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // before this generation's first fetch: partitions may come from another member, mid-round
      this.sink.reassigned?.();
      this.generation++;
      this.soughtBack.clear(); // fetching starts again from the group's offsets, before any round not stored
      if (this.consumer !== consumer || this.stopping) return;
      this.failures = 0;
      this.setState({ state: 'running' });
    });
    try {
      await consumer.connect();
      for (const topic of opts.topics) {
        try { await consumer.subscribe({ topic, fromBeginning: true }); } catch (e) {
          throw new FlowlogError('SOURCE_NOT_FOUND', `Kafka topic "${topic}" cannot be subscribed to: ${(e as Error).message}`,
            'create the topic (kafka-topics.sh --create --topic ...) or fix its name: flowlog never creates topics, and keeps trying', { cause: e });
        }
      }
      this.consumer = consumer;
      this.paused = false;
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: opts.concurrency ?? 1, eachBatch: (p) => this.onBatch(p) });
    } catch (e) {
      if (this.consumer === consumer) this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw e;
    }
  }

  /**
   * kafkajs restarts a consumer after a retriable crash by itself (restart: true):
   * the source is failed until it rejoins its group. When kafkajs gives up, the
   * source starts over with backoff.
   */
  private onCrash(consumer: Consumer, error: Error, restart: boolean): void {
    if (this.consumer !== consumer || this.stopping) return;
    if (restart) { this.fail(error, false); return; }
    this.consumer = null;
    this.fail(error);
    void consumer.disconnect().catch(() => undefined).then(() => { if (!this.stopping) this.retrying ??= this.retry(); });
  }

  private setState(h: SourceHealth): void {
    const changed = h.state !== this.state.state || h.error?.code !== this.state.error?.code;
    this.state = h;
    if (changed) this.opts.onHealth?.(h);
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

  /**
   * Graceful stop: the rounds handed back are stored and committed, then
   * kafkajs lets the batch in hand finish likewise before leaving the group.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.retrying;
    while (this.storing.size > 0) await Promise.all(this.storing.values());
    await this.consumer?.disconnect();
    this.consumer = null;
    this.setState({ state: 'stopped' });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    // kafkajs cannot heartbeat while its worker waits for us: the batch in hand does, all the time it is in hand
    const beat = setInterval(() => { payload.heartbeat().catch(() => undefined); }, 1000);
    try { await this.inHand(payload); } finally { clearInterval(beat); }
  }

  private async inHand({ batch, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const stream = streamOf(batch);
    await this.storing.get(stream); // one round of a partition at a time
    const sought = this.soughtBack.get(stream);
    if (sought !== undefined) {
      // fetched before the partition was sought back to a failed round: not acknowledged, fetched again after it
      if (Number(batch.messages[0]?.offset) !== sought) return;
      this.soughtBack.delete(stream); // the failed round itself, fetched again: it is retried now
    }
    const messages = batch.messages.map((m) => ({ offset: Number(m.offset), value: m.value }));
    const lag = Number(batch.offsetLag()); // messages behind this round's last one, when it was fetched
    let release!: (through: number) => void;
    const handedBack = new Promise<number>((r) => { release = r; });
    const outcome = this.sink.storeRound(stream, messages, { isRunning: () => isRunning() && !isStale(), released: (t) => release(t) }, lag);
    const through = await Promise.race([handedBack, outcome.then(() => null, () => null)]);
    if (through === null || this.stopping) {
      const done = await outcome; // throws: kafkajs fetches the batch again and retries it
      if (done !== null) resolveOffset(String(done.through - 1));
      await this.acknowledge(batch, done);
      return;
    }
    // kafkajs fetches on from `through` while the round is stored; the group's offset waits for it
    resolveOffset(String(through - 1));
    const first = messages[0]!.offset;
    const generation = this.generation;
    const storing = outcome
      .then((done) => this.acknowledge(batch, done, generation), (e: unknown) => this.lost(batch, first, e))
      .catch((e: unknown) => { this.log.warn(EVENTS.kafkaCommitFailed, { partition: stream, ...errorFields(e) }); });
    this.storing.set(stream, storing);
    void storing.then(() => { if (this.storing.get(stream) === storing) this.storing.delete(stream); });
    // bounded: at most `concurrency` rounds stored behind the fetch, each holding its batch and encoded rows
    while (this.storing.size > (this.opts.concurrency ?? 1)) await Promise.race(this.storing.values());
  }

  /** A stored round: fetching resumes if the store had stalled it, and the group's offset moves past it. */
  private async acknowledge(batch: Batch, done: RoundOutcome | null, generation = this.generation): Promise<void> {
    if (done === null) return; // abandoned: nothing acknowledged, the ledger's intent replays it
    // the store took a whole round: it has caught up (kafkajs refuses while it restarts its consumer: the next round resumes)
    if (done.stored) { try { this.backpressure(false); } catch { /* see above */ } }
    // handed back before a rebalance: the partition may be another member's now, whose offset this must not move back
    if (generation !== this.generation) return;
    // autoCommit is off, so kafkajs commits nothing by itself: the group's offset is the next one to read.
    // A commit refused mid-rebalance is not an error of the round: it is stored (the ledger says so, and a
    // re-delivery is skipped), and the next round's commit covers it.
    try {
      await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(done.through) }]);
    } catch (e) {
      this.log.warn(EVENTS.kafkaCommitFailed, { partition: streamOf(batch), offset: done.through, ...errorFields(e) });
    }
  }

  /**
   * A round that failed after its batch was handed back: kafkajs already
   * fetches past it. Its partition is sought back to the round's start; a
   * batch fetched before the seek is dropped unacknowledged, and the round,
   * fetched again, is retried (its intent replayed exactly).
   */
  private lost(batch: Batch, first: number, e: unknown): void {
    const stream = streamOf(batch);
    this.log.warn(EVENTS.kafkaRoundFailed, { partition: stream, offset: first, ...errorFields(e) });
    try {
      this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: String(first) });
      this.soughtBack.set(stream, first);
    } catch { /* no consumer to seek (crashed or stopped): its restart fetches from the group's offset, before this round */ }
  }
}

/** A partition as the rounds and the ledger name it. */
const streamOf = (batch: Batch): string => `${batch.topic}/${batch.partition}`;
