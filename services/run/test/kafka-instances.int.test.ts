/**
 * Three `flowlog run` instances in one Kafka consumer group, one server store
 * (the chdb-backed ClickHouse endpoint), while messages flow: instances join,
 * leave with SIGTERM and are killed with SIGKILL at random moments, and come
 * back. Every rebalance moves partitions between them mid-stream; a killed
 * instance's pending round is replayed by whichever instance gets its
 * partition, from the ledger's intent, with the same batches and tokens. At
 * the end every message's flows are stored exactly once and nothing is
 * quarantined.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { openServerFleet, type ServerFleet } from '../../../test/server-fleet.js';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { Instances } from '../../../test/run-instances.js';
import { waitFor } from '../../../test/wait.js';
import { benchLines } from '../../bench/dataset.js';
import { ClickHouseServerStore } from '../../store/clickhouse-server-store.js';

const PARTITIONS = 6, MESSAGES = 2400, LINES = 20;
const topic = testTopic('flowlog-instances');
let server: ChdbHttpServer;
let store: ClickHouseServerStore;
let fleet: Instances;

let ground: ServerFleet | undefined;
beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
  ground = await openServerFleet('flowlog-kafka-instances-');
  ({ server, store, fleet } = ground);
}, 60_000);
afterEach((ctx) => fleet.dumpOnFailure(ctx));
afterAll(async () => {
  await ground?.close();
});

const count = async (sql: string) => Number((await store.queryRows<{ n: string }>(sql))[0]!.n);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('three instances in one consumer group', () => {
  it('join, SIGTERM, SIGKILL and restart while data flows: every message stored exactly once', { timeout: 150_000 }, async () => {
    const brokers = process.env.KAFKA_BROKERS!;
    const kafka = await createTopic(brokers.split(','), topic, PARTITIONS);
    const producer = kafka.producer();
    await producer.connect();
    const lines = benchLines(MESSAGES * LINES, 91);
    const yaml = [
      'store:', '  kind: clickhouse', `  url: ${server.url}`,
      'batch: { rows: 1000 }',
      'sources:', '  - kind: kafka', '    name: group', `    brokers: [${brokers}]`, `    topics: [${topic}]`, `    group_id: g-${topic}`, '    session_timeout: 6s',
      // small fetches: many rounds, so a kill lands between an intent and its end
      '    fetch: { min_bytes: 1, max_bytes_per_partition: 40000, max_wait: 100ms }',
    ].join('\n');
    const t0 = Date.now();
    // the moves, in order; the data comes in waves, one before each move, so each lands while a wave is being stored
    const moves: [string, 'SIGTERM' | 'SIGKILL'][] = [['b', 'SIGTERM'], ['c', 'SIGKILL'], ['a', 'SIGKILL'], ['b', 'SIGKILL']];
    const waves = moves.length + 2, per = MESSAGES / waves;
    let sent = 0;
    const sendWave = async (w: number) => {
      for (let k = 0; k < per; k += 100) {
        await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => {
          const m = w * per + k + i;
          return { partition: m % PARTITIONS, value: lines.slice(m * LINES, (m + 1) * LINES).join('\n') };
        }) });
        sent += 100;
      }
    };
    try {
      await sendWave(0);
      const a = await fleet.start('a', yaml, { args: ['--role', 'ingest'] });
      await a.ready({ event: 'source.started' });
      const b = await fleet.start('b', yaml, { args: ['--role', 'ingest'] });
      const c = await fleet.start('c', yaml, { args: ['--role', 'ingest'] });
      await Promise.all([b.ready({ event: 'source.started' }), c.ready({ event: 'source.started' })]);
      const stored = () => count('SELECT count() AS n FROM flows');
      const log: string[] = [];
      for (const [k, [name, sig]] of moves.entries()) {
        const before = await stored();
        await sendWave(k + 1);
        // a random moment after this wave starts landing
        await waitFor(async () => (await stored()) > before, `progress before ${sig} to ${name}`, 60_000);
        await pause(Math.random() * 400);
        const inst = fleet.get(name);
        if (sig === 'SIGTERM') expect(await inst.stop(), `${name} drains on SIGTERM`).toBe(0);
        else await inst.kill();
        log.push(`${sig} ${name} at ${((Date.now() - t0) / 1000).toFixed(1)} s, ${await stored()} rows`);
        await pause(Math.random() * 1000);
        // back before the next move: a signal during startup is not a drain
        await (await fleet.restart(name)).ready({ event: 'source.started' });
      }
      await sendWave(waves - 1);
      expect(sent).toBe(MESSAGES);
      await waitFor(async () => (await stored()) >= MESSAGES * LINES, `all ${MESSAGES * LINES} rows (moves: ${log.join('; ')})`, 60_000);
      await pause(1500); // a late duplicate would show here
      expect(await fleet.stopAll()).toEqual({ a: 0, b: 0, c: 0 });
      const perMessage = await store.queryRows<{ messages: string; bad: string; total: string }>(
        `SELECT count() AS messages, countIf(c != ${LINES}) AS bad, sum(c) AS total FROM (SELECT source, count() AS c FROM flows GROUP BY source)`);
      expect({ messages: Number(perMessage[0]!.messages), bad: Number(perMessage[0]!.bad), total: Number(perMessage[0]!.total) })
        .toEqual({ messages: MESSAGES, bad: 0, total: MESSAGES * LINES });
      expect(await count('SELECT count() AS n FROM flows_rejected')).toBe(0);
      console.log(`three instances: ${MESSAGES} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${log.join('; ')}`);
    } finally {
      await producer.disconnect();
    }
  });
});
