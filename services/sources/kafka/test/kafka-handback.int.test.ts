/**
 * A round handed back (RoundControl.released) against a real broker: kafkajs
 * fetches on while the round is stored, the group's offset waits for the
 * round to be stored, the messages of a fetch a round did not take are
 * fetched again, and a round that fails after it was handed back is
 * fetched again from its start, before anything after it is stored.
 *
 * The sink here is a recording one (the pipeline's side is tested in
 * pipeline/test/message-rounds-release.test.ts); the broker is real.
 */
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import type { MessageSink, RoundControl, RoundOutcome, SourceMessage } from '../../source.js';
import { KafkaSource } from '../kafka-source.js';

const brokers = () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka (infra/kafka/kafka.sh); it must not be missing');
  return process.env.KAFKA_BROKERS.split(',');
};

/** `perPartition` messages in each of `partitions`, one produce call each: one record batch per message, so small fetches split them. */
async function topicWith(partitions: number, perPartition: number): Promise<string> {
  const topic = testTopic('flowlog-handback');
  const kafka = await createTopic(brokers(), topic, partitions);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < perPartition; i++) {
    for (let p = 0; p < partitions; p++) await producer.send({ topic, messages: [{ partition: p, value: `m${i}`.padEnd(1000, '.') }] });
  }
  await producer.disconnect();
  return topic;
}

async function committed(topic: string, groupId: string): Promise<Record<number, number>> {
  const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(t!.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally { await admin.disconnect(); }
}

interface Call { stream: string; first: number; end: number }

/** A sink that hands every round back at once and stores it when `decide` says (resolve) or fails it (reject). */
class HandingBack implements MessageSink {
  readonly calls: Call[] = [];
  readonly stored: Call[] = [];
  /** `takes`: how many of a round's messages the sink stores; the rest are the source's to fetch again. */
  constructor(private readonly decide: (c: Call, n: number) => Promise<void>, private readonly takes = (n: number) => n) {}
  async storeRound(stream: string, messages: readonly SourceMessage[], ctl: RoundControl): Promise<RoundOutcome | null> {
    const c = { stream, first: messages[0]!.offset, end: messages[this.takes(messages.length) - 1]!.offset + 1 };
    this.calls.push(c);
    ctl.released?.(c.end);
    await this.decide(c, this.calls.length);
    this.stored.push(c);
    return { through: c.end, stored: true };
  }
}

const source = (topic: string, groupId: string, sink: MessageSink) => new KafkaSource({
  kafka: { brokers: brokers() }, topics: [topic], groupId, sessionTimeoutMs: 10_000, concurrency: 1,
  fetch: { minBytes: 1, maxBytes: 1 << 20, maxBytesPerPartition: 3000, maxWaitMs: 100 },
}, sink);

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Kafka rounds handed back', () => {
  it('fetching goes on while a round is stored; the group\'s offset moves only once it is', { timeout: 90_000 }, async () => {
    const topic = await topicWith(2, 6);
    const groupId = `${topic}-g`;
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const sink = new HandingBack((_c, n) => (n === 1 ? gate : Promise.resolve()));
    const src = source(topic, groupId, sink);
    await src.start();
    try {
      // one worker (concurrency 1): the second partition's round can begin only because the first was handed back
      await until(() => new Set(sink.calls.map((c) => c.stream)).size === 2, 'a round of the other partition');
      const held = sink.calls[0]!;
      expect(sink.stored).not.toContainEqual(held);
      const partition = Number(held.stream.split('/').pop());
      expect((await committed(topic, groupId))[partition]).toBe(-1); // nothing of the held round is acknowledged
      // the held partition's next round waits for it: one round of a partition at a time
      expect(sink.calls.filter((c) => c.stream === held.stream)).toHaveLength(1);
      open();
      await until(() => sink.stored.length > 0 && sink.stored.filter((c) => c.stream === held.stream).reduce((m, c) => Math.max(m, c.end), 0) === 6, 'every round of the held partition');
      await until(() => sink.stored.filter((c) => c.stream !== held.stream).reduce((m, c) => Math.max(m, c.end), 0) === 6, 'every round of the other partition');
    } finally { await src.stop(); }
    expect(await committed(topic, groupId)).toEqual({ 0: 6, 1: 6 });
    // every message in exactly one stored round, in order, per partition
    for (const stream of new Set(sink.stored.map((c) => c.stream))) {
      const mine = sink.stored.filter((c) => c.stream === stream);
      expect(mine.map((c) => c.first)).toEqual([0, ...mine.slice(0, -1).map((c) => c.end)]);
    }
  });

  it('messages a round leaves (the pipeline takes whole batches) are fetched again, before anything after them', { timeout: 90_000 }, async () => {
    const topic = await topicWith(2, 12);
    const groupId = `${topic}-g`;
    const sink = new HandingBack(async () => undefined, (n) => Math.ceil(n / 2));
    const src = new KafkaSource({
      kafka: { brokers: brokers() }, topics: [topic], groupId, sessionTimeoutMs: 10_000, concurrency: 2,
      fetch: { minBytes: 1, maxBytes: 1 << 20, maxBytesPerPartition: 8000, maxWaitMs: 100 },
    }, sink);
    await src.start();
    try {
      await until(() => [...new Set(sink.stored.map((c) => c.stream))].every((s) => sink.stored.filter((c) => c.stream === s).reduce((m, c) => Math.max(m, c.end), 0) === 12)
        && new Set(sink.stored.map((c) => c.stream)).size === 2, 'every message of both partitions');
    } finally { await src.stop(); }
    // rounds took part of what was fetched (several messages a fetch), and each next round began where the last one ended
    expect(sink.calls.some((c) => c.end - c.first > 1)).toBe(true);
    for (const stream of new Set(sink.stored.map((c) => c.stream))) {
      const mine = sink.stored.filter((c) => c.stream === stream);
      expect(mine.map((c) => c.first)).toEqual([0, ...mine.slice(0, -1).map((c) => c.end)]);
    }
    expect(await committed(topic, groupId)).toEqual({ 0: 12, 1: 12 });
  });

  it('a round that fails after it was handed back is fetched again from its start, before anything after it is stored', { timeout: 90_000 }, async () => {
    const topic = await topicWith(1, 8);
    const groupId = `${topic}-g`;
    const sink = new HandingBack(async (_c, n) => { if (n === 1) throw new Error('insert refused'); });
    const src = source(topic, groupId, sink);
    await src.start();
    try {
      await until(() => sink.stored.reduce((m, c) => Math.max(m, c.end), 0) === 8, 'every message stored', 60_000);
    } finally { await src.stop(); }
    const [failed, ...rest] = sink.calls;
    expect(failed!.first).toBe(0);
    // the next round stored starts where the failed one did: nothing past it went ahead of it
    expect(sink.stored[0]!.first).toBe(0);
    expect(rest.some((c) => c.first === 0)).toBe(true);
    const stored = sink.stored;
    expect(stored.map((c) => c.first)).toEqual([0, ...stored.slice(0, -1).map((c) => c.end)]);
    expect(await committed(topic, groupId)).toEqual({ 0: 8 });
  });
});
