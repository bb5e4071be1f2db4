/**
 * The store goes away for 30 s while Kafka keeps receiving: `flowlog run`
 * waits (retrying, saying so in its log) with bounded memory, and once the
 * store is back every flow ends up stored exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChdbHttpServer, type ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { benchLines } from '../../bench/dataset.js';
import { ClickHouseServerStore } from '../../store/clickhouse-server-store.js';
import { exited, rssMb, startRun, started } from './harness.js';

const topic = testTopic('flowlog-outage');
const PER_WAVE = 300, LINES = 40, OUTAGE_MS = 30_000;
let dir = '', port = 0, metricsPort = 0, configFile = '';
let server: ChdbHttpServer | null = null;
let producer: Producer;
const lines = benchLines(3 * PER_WAVE * LINES, 91);

async function wave(w: number): Promise<void> {
  for (let b = w * PER_WAVE; b < (w + 1) * PER_WAVE; b += 100) {
    await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: lines.slice((b + i) * LINES, (b + i + 1) * LINES).join('\n') })) });
  }
}

const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

async function rows(): Promise<number> {
  const store = new ClickHouseServerStore({ url: `http://127.0.0.1:${port}`, retry: { attempts: 3, baseMs: 100 } });
  try { return Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n); } finally { await store.close(); }
}

beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
  dir = mkdtempSync(join(tmpdir(), 'flowlog-outage-'));
  const freePort = async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const p = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    return p;
  };
  port = await freePort();
  metricsPort = await freePort();
  server = await startChdbHttpServer({ dataDir: join(dir, 'ch'), port });
  const kafka = await createTopic(process.env.KAFKA_BROKERS.split(','), topic);
  producer = kafka.producer();
  await producer.connect();
  configFile = join(dir, 'flowlog.yaml');
  writeFileSync(configFile, ['store:', '  kind: clickhouse', `  url: http://127.0.0.1:${port}`, 'sources:', '  - kind: kafka', '    name: outage',
    `    brokers: [${process.env.KAFKA_BROKERS}]`, `    topics: [${topic}]`, `    group_id: outage-${topic}`, '    session_timeout: 6s', 'batch_rows: 5000', `metrics: { listen: "127.0.0.1:${metricsPort}" }`].join('\n'));
}, 60_000);
afterAll(async () => {
  await producer?.disconnect();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('store outage', () => {
  it('waits 30 s for the store with bounded memory, then stores every flow once', { timeout: 180_000 }, async () => {
    await wave(0);
    const run = startRun(configFile);
    await started(run);
    const t0 = Date.now();
    while ((await rows()) < PER_WAVE * LINES && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 200));
    const before = rssMb(run.child.pid!);
    await server!.close(); // the store is gone
    server = null;
    // ...but its port stays taken, answering nothing: another suite running alongside must not bind it
    // (a free-port probe) and become, by accident, the store this run reconnects to
    const blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    await wave(1); // ...while Kafka keeps receiving
    await wave(2);
    let peak = before;
    const outageStart = Date.now();
    while (Date.now() - outageStart < OUTAGE_MS) {
      peak = Math.max(peak, rssMb(run.child.pid!));
      expect(run.child.exitCode, run.stderr()).toBeNull(); // still running: it waits, it does not give up
      await new Promise((r) => setTimeout(r, 1000));
    }
    // the run says it is waiting on the store (backpressure), and its health check says unhealthy
    const during = await scrape();
    expect(during).toMatch(/^flowlog_store_waiting 1$/m);
    expect(during).toMatch(/^flowlog_backpressure\{source="outage"\} 1$/m); // partitions paused
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(503);
    await new Promise<void>((r) => blocker.close(() => r()));
    server = await startChdbHttpServer({ dataDir: join(dir, 'ch'), port });
    const t1 = Date.now();
    while ((await rows()) < 3 * PER_WAVE * LINES && Date.now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 300));
    // the rows are visible once the last round's insert is done; its round (and its lag) is reported just after
    const lagsOf = (text: string) => [...text.matchAll(/^flowlog_consumer_lag\{source="outage",partition="[^"]+"\} (\d+)$/gm)].map((m) => Number(m[1]));
    let after = await scrape();
    for (const t2 = Date.now(); (lagsOf(after).length !== 3 || lagsOf(after).some((l) => l !== 0)) && Date.now() - t2 < 15_000; after = await scrape()) await new Promise((r) => setTimeout(r, 200));
    expect(after).toMatch(/^flowlog_store_waiting 0$/m);
    expect(after).toMatch(/^flowlog_backpressure\{source="outage"\} 0$/m); // resumed
    // every stored batch is in the histograms: the counts add up to the flows
    const batchRows = Number(/^flowlog_batch_rows_sum\{source="outage"\} (\d+)$/m.exec(after)?.[1]);
    expect(batchRows).toBe(3 * PER_WAVE * LINES);
    expect(after).toMatch(/^flowlog_insert_seconds_bucket\{source="outage",le="\+Inf"\} [1-9]\d*$/m);
    const lags = lagsOf(after);
    expect(lags.length).toBe(3);
    expect(lags).toEqual([0, 0, 0]);
    expect(after).toMatch(/^flowlog_rounds_total\{source="outage"\} [1-9]\d*$/m);
    run.child.kill('SIGTERM');
    expect(await exited(run.child), run.stderr()).toBe(0);
    expect(run.stderr()).toContain('"event":"store.retry"');
    expect(run.stderr()).toContain('"event":"source.paused"');
    expect(run.stderr()).toContain('"event":"source.resumed"');
    const store = new ClickHouseServerStore({ url: server.url });
    try {
      const [c] = await store.queryRows<{ n: number; sources: number }>('SELECT count() AS n, uniqExact(source) AS sources FROM flows');
      expect({ rows: Number(c!.n), messages: Number(c!.sources) }).toEqual({ rows: 3 * PER_WAVE * LINES, messages: 3 * PER_WAVE });
    } finally { await store.close(); }
    // bounded: the waiting consumer holds one round, it does not buffer the topic
    expect(peak - before, `RSS before ${before.toFixed(0)} MB, peak during the outage ${peak.toFixed(0)} MB`).toBeLessThan(150);
  });
});
