/**
 * The Kafka broker restarts in the middle of a run: `flowlog run` reconnects
 * and carries on, and every flow produced before and after is stored once.
 * Uses a broker of its own, so the restart disturbs no other test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKafka } from '../../../infra/servers.js';
import { startChdbHttpServer, type ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { benchLines } from '../../bench/dataset.js';
import { ClickHouseServerStore } from '../../store/clickhouse-server-store.js';
import { exited, startRun, started } from './harness.js';

const topic = 'flows-restart';
const PER_WAVE = 300, LINES = 40;
let dir = '', configFile = '';
let server: ChdbHttpServer;
let store: ClickHouseServerStore;
let broker: Awaited<ReturnType<typeof privateKafka>>;
const lines = benchLines(2 * PER_WAVE * LINES, 55);

async function wave(w: number): Promise<void> {
  const producer = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let b = w * PER_WAVE; b < (w + 1) * PER_WAVE; b += 100) {
    await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: lines.slice((b + i) * LINES, (b + i + 1) * LINES).join('\n') })) });
  }
  await producer.disconnect();
}
const rows = async () => Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n);

beforeAll(async () => {
  broker = await privateKafka();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-restart-'));
  server = await startChdbHttpServer({ dataDir: join(dir, 'ch') });
  store = new ClickHouseServerStore({ url: server.url, retry: { attempts: 5, baseMs: 100 } });
  const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();
  configFile = join(dir, 'flowlog.yaml');
  writeFileSync(configFile, ['store:', '  kind: clickhouse', `  url: ${server.url}`, 'sources:', '  - kind: kafka', '    name: restart',
    `    brokers: [${broker.brokers}]`, `    topics: [${topic}]`, '    group_id: restart', '    session_timeout: 6s', 'batch_rows: 5000'].join('\n'));
}, 180_000);
afterAll(async () => {
  await store?.close();
  await server?.close();
  broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('broker restart', () => {
  it('flowlog run reconnects after the broker restarts and stores every flow once', { timeout: 240_000 }, async () => {
    await wave(0);
    const run = startRun(configFile);
    await started(run);
    const t0 = Date.now();
    while ((await rows()) === 0 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    broker.restart(); // mid-run: the consumer loses its broker and coordinator
    await wave(1);
    const t1 = Date.now();
    while ((await rows()) < 2 * PER_WAVE * LINES && Date.now() - t1 < 120_000) await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    expect(await exited(run.child), run.stderr()).toBe(0);
    const [c] = await store.queryRows<{ n: number; sources: number }>('SELECT count() AS n, uniqExact(source) AS sources FROM flows');
    expect({ rows: Number(c!.n), messages: Number(c!.sources) }).toEqual({ rows: 2 * PER_WAVE * LINES, messages: 2 * PER_WAVE });
  });
});
