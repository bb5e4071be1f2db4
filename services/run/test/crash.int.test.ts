/**
 * Crash and restart: `flowlog run` (a child process) consumes a Kafka topic
 * into a ClickHouse-server store and is killed with SIGKILL at random moments,
 * several times, then run once more and stopped with SIGTERM. At the end every
 * message's flows are stored exactly once: 0 lost, 0 duplicated, counted
 * against the source. The store is served from this process (the chdb-backed
 * ClickHouse HTTP endpoint), so it can be counted while the child runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChdbHttpServer, type ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { benchLines } from '../../bench/dataset.js';
import { ClickHouseServerStore } from '../../store/clickhouse-server-store.js';
import { exited, startRun, started } from './harness.js';

const topic = testTopic('flowlog-crash');
const WAVES = 5, PER_WAVE = 400, LINES = 40, MESSAGES = WAVES * PER_WAVE;
let produceWave: (w: number) => Promise<void>;
let dir = '';
let server: ChdbHttpServer;
let store: ClickHouseServerStore;
let configFile = '';

beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
  dir = mkdtempSync(join(tmpdir(), 'flowlog-crash-'));
  server = await startChdbHttpServer({ dataDir: join(dir, 'ch') });
  store = new ClickHouseServerStore({ url: server.url, retry: { attempts: 5, baseMs: 100 } });
  await store.migrate();
  const kafka = await createTopic(process.env.KAFKA_BROKERS.split(','), topic);
  const producer = kafka.producer();
  await producer.connect();
  const lines = benchLines(MESSAGES * LINES, 77);
  // the data arrives in waves, one before each run, so every run has work in hand when it is killed
  produceWave = async (w) => {
    for (let b = w * PER_WAVE; b < (w + 1) * PER_WAVE; b += 100) {
      await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: lines.slice((b + i) * LINES, (b + i + 1) * LINES).join('\n') })) });
    }
  };
  afterAll(() => producer.disconnect());
  configFile = join(dir, 'flowlog.yaml');
  writeFileSync(configFile, [
    'store:', '  kind: clickhouse', `  url: ${server.url}`,
    'sources:', '  - kind: kafka', '    name: crash', `    brokers: [${process.env.KAFKA_BROKERS}]`, `    topics: [${topic}]`, `    group_id: crash-${topic}`, '    session_timeout: 6s',
    'batch_rows: 5000',
  ].join('\n'));
}, 120_000);
afterAll(async () => {
  await store?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rows = async () => Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n);

describe('crash and restart', () => {
  it('SIGKILL at random moments, then a clean run: 0 lost, 0 duplicated', { timeout: 240_000 }, async () => {
    const seen: number[] = [];
    for (let k = 0; k < WAVES - 1; k++) {
      const before = await rows();
      await produceWave(k);
      const run = startRun(configFile);
      const child = run.child;
      await started(run);
      // kill as soon as this run's rows start landing (after any rebalance), a random moment into the wave
      const t = Date.now();
      while ((await rows()) === before && Date.now() - t < 60_000) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      child.kill('SIGKILL');
      await exited(child);
      seen.push(await rows());
    }
    await produceWave(WAVES - 1);
    const run = startRun(configFile);
    const child = run.child;
    await started(run);
    const t0 = Date.now();
    while ((await rows()) < MESSAGES * LINES && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 300));
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up here
    child.kill('SIGTERM');
    const code = await exited(child);
    if (code !== 0) console.error(`flowlog run exited with ${code}:\n${run.stderr()}`);
    expect(code).toBe(0);
    expect(run.stderr()).toContain('"event":"shutdown.done"');
    const total = await rows();
    const perMessage = await store.queryRows<{ bad: number }>(`SELECT count() AS bad FROM (SELECT source, count() AS c FROM flows GROUP BY source HAVING c != ${LINES})`);
    const messages = Number((await store.queryRows<{ n: number }>('SELECT uniqExact(source) AS n FROM flows'))[0]!.n);
    expect({ total, messages, badMessages: Number(perMessage[0]!.bad) }).toEqual({ total: MESSAGES * LINES, messages: MESSAGES, badMessages: 0 });
    // progress before the end, so the kills really landed mid-run (not all before the first batch)
    // the kills really landed mid-wave: some run died with part of its wave unstored
    expect(seen.some((n, k) => n < (k + 1) * PER_WAVE * LINES), `rows after each kill: ${seen.join(', ')}`).toBe(true);
  });
});
