/**
 * Rounds of whole batches through the pipeline against a real broker: small
 * batches and small fetches, so rounds take part of a fetch and kafkajs
 * fetches the rest again; and one round's stored mark fails after the round
 * was handed back, so its partition is sought back and the round replayed
 * from its intent. Every message's rows are stored once, few inserts are
 * small, and the group's offsets end at the end.
 */
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import { overriding } from '../../../../test/store-overrides.js';
import { withStore } from '../../../../test/temp-store.js';
import { HEADER, benchLines } from '../../../bench/dataset.js';
import { KafkaIngest } from '../../../pipeline/kafka-ingest.js';
import { perMessage } from '../../../pipeline/test/per-message.js';
import type { LedgerEntry } from '../../../store/store.js';

const brokers = () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka (infra/kafka/kafka.sh); it must not be missing');
  return process.env.KAFKA_BROKERS.split(',');
};

const LINES = 50, PER_PARTITION = 40, PARTITIONS = 2, CAPACITY = 200;

describe('Kafka rounds of whole batches', () => {
  it('cuts rounds at whole batches, replays a round that failed after it was handed back, and stores every row once', { timeout: 120_000 }, async () => {
    const topic = testTopic('flowlog-cuts');
    const kafka = await createTopic(brokers(), topic, PARTITIONS);
    const lines = benchLines(PER_PARTITION * PARTITIONS * LINES, 23);
    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < PARTITIONS; p++) {
      const messages = Array.from({ length: PER_PARTITION }, (_, i) => {
        const at = (p * PER_PARTITION + i) * LINES;
        return { partition: p, value: `${HEADER}\n${lines.slice(at, at + LINES).join('\n')}` };
      });
      for (const m of messages) await producer.send({ topic, messages: [m] }); // a record batch each: fetches end between any two
    }
    await producer.disconnect();
    const groupId = `${topic}-g`;
    await withStore(async (raw) => {
      let stored = 0, failed = false;
      const store = overriding(raw, {
        recordLedger: async (entries: readonly LedgerEntry[]) => {
          // the third round's stored mark fails once: its rows are in, the round was handed back
          if (entries.some((e) => e.state === 'stored') && ++stored === 3 && !failed) { failed = true; throw new Error('the store went away'); }
          return raw.recordLedger(entries);
        },
      });
      const inserts: number[] = [];
      const ingest = new KafkaIngest(store, {
        kafka: { brokers: brokers() }, topics: [topic], groupId, sessionTimeoutMs: 10_000, capacity: CAPACITY,
        // ~5 messages (~250 rows) a fetch: more than one batch, less than two
        fetch: { minBytes: 1, maxBytes: 1 << 20, maxBytesPerPartition: 32_000, maxWaitMs: 100 },
        onBatch: (b) => { if (b.rows > 0) inserts.push(b.rows); },
      });
      await ingest.start();
      try {
        const t0 = Date.now();
        while ((await perMessage(raw, LINES)).total < PER_PARTITION * PARTITIONS * LINES && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show here
      } finally { await ingest.stop(); }
      expect(failed).toBe(true);
      expect(await perMessage(raw, LINES)).toEqual({ messages: PER_PARTITION * PARTITIONS, bad: 0, total: PER_PARTITION * PARTITIONS * LINES });
      // taken whole, every ~250-row fetch would end in a ~50-row insert; cut, only a partition's first round and its last do
      const small = inserts.filter((n) => n < CAPACITY / 2).length;
      expect(small, `inserts: ${inserts.join(', ')}`).toBeLessThanOrEqual(3 * PARTITIONS);
      expect(inserts.length).toBeGreaterThan(10);
    });
    const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(Object.fromEntries(t!.partitions.map((p) => [p.partition, Number(p.offset)]))).toEqual({ 0: PER_PARTITION, 1: PER_PARTITION });
    } finally { await admin.disconnect(); }
  });
});
