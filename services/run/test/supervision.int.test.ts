/**
 * Supervision: in one `flowlog run`, a healthy Kafka source keeps storing
 * while the other parts fail around it (an S3 endpoint nothing listens on,
 * wrong S3 credentials, a missing bucket, Kafka brokers that do not answer, a
 * topic that cannot be subscribed (an invalid name, a missing topic), a topic deleted mid-run, an IPAM file
 * corrupted mid-run, a report webhook answering 500). /healthz stays 200 and
 * names each failing part with its code; flowlog_source_up is 0 for each bad
 * source; flowlog_errors_total has the codes. With every source down, 503.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { waitFor } from '../../../test/wait.js';
import { benchLines } from '../../bench/dataset.js';
import { parseConfig } from '../../config/load-config.js';
import { webhookServer } from '../../report/test/webhook-server.js';
import { makeS3Client, s3SettingsFromEnv } from '../../sources/s3/client.js';
import { runConfigured } from '../runner.js';
import { testBucket } from '../../../test/s3.js';

const tag = `${process.pid}-${Date.now() % 100000}`;
const good = testTopic('flowlog-sup-good'), doomed = testTopic('flowlog-sup-doomed'), bucket = testBucket('flowlog-sup');
const dir = mkdtempSync(join(tmpdir(), 'flowlog-sup-'));
const lines = benchLines(4000, 17);
let producer: Producer;
let brokers: string[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const p = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return p;
}

const counter = (text: string, name: string, labels: string) => {
  const m = new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')}\\} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};
const stored = (text: string) => counter(text, 'flowlog_flows_stored_total', 'source="good"');

async function produce(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 40) await producer.send({ topic: good, messages: [{ value: lines.slice(i, i + 40).join('\n') }] });
}

interface Healthz { status: string; store: { state: string }; sources: Record<string, { state: string; error?: { code: string } }>; ipam?: { state: string; error?: { code: string } }; reports?: Record<string, { state: string; error?: { code: string } }> }
async function healthz(port: number): Promise<{ status: number; body: Healthz }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: await res.json() as Healthz };
}

beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server; it must not be missing');
  brokers = process.env.KAFKA_BROKERS.split(',');
  const kafka = await createTopic(brokers, good);
  await createTopic(brokers, doomed, 1);
  producer = kafka.producer();
  await producer.connect();
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  process.env.FLOWLOG_SUP_KEY = process.env.S3_ACCESS_KEY;
  process.env.FLOWLOG_SUP_SECRET = process.env.S3_SECRET_KEY;
  process.env.FLOWLOG_SUP_WRONG = 'not-the-secret-key';
}, 60_000);
afterAll(async () => {
  await producer?.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('supervision', () => {
  it('keeps the healthy Kafka source storing while every other part fails, and says which and why', { timeout: 180_000 }, async () => {
    const downPort = await freePort(), deadBroker = await freePort(), metricsPort = await freePort();
    const hook = await webhookServer([500]);
    process.env.FLOWLOG_SUP_HOOK = hook.url('/hook');
    const ipam = join(dir, 'ipam.yaml');
    writeFileSync(ipam, 'prefixes:\n  - { cidr: 10.0.0.0/8, owner: net, segment: core }\n');
    const s3 = (name: string, uri: string, endpoint: string, secret: string) =>
      `  - { kind: s3, name: ${name}, mode: poll, poll_interval: 2s, uri: "${uri}", endpoint: "${endpoint}", access_key: { env: FLOWLOG_SUP_KEY }, secret_key: { env: ${secret} } }`;
    const cfg = parseConfig([
      `store: { kind: embedded, data_dir: ${JSON.stringify(join(dir, 'store'))} }`,
      `metrics: { listen: "127.0.0.1:${metricsPort}" }`,
      `enrich: { files: [${JSON.stringify(ipam)}], reload_interval: 1s }`,
      'reports: [ { name: hook, cron: "*/2 * * * * *", since: 1h, deliver: [ { webhook: { url: { env: FLOWLOG_SUP_HOOK } } } ] } ]',
      'sources:',
      `  - { kind: kafka, name: good, brokers: [${brokers.join(',')}], topics: [${good}], group_id: sup-good-${tag}, session_timeout: 6s }`,
      s3('s3down', `s3://${bucket}/AWSLogs/`, `http://127.0.0.1:${downPort}`, 'FLOWLOG_SUP_SECRET'),
      s3('s3creds', `s3://${bucket}/AWSLogs/`, process.env.S3_ENDPOINT!, 'FLOWLOG_SUP_WRONG'),
      s3('s3nobucket', `s3://${bucket}-missing/AWSLogs/`, process.env.S3_ENDPOINT!, 'FLOWLOG_SUP_SECRET'),
      `  - { kind: kafka, name: kdeleted, brokers: [${brokers.join(',')}], topics: [${doomed}], group_id: sup-doomed-${tag}, session_timeout: 6s }`,
      `  - { kind: kafka, name: kbadtopic, brokers: [${brokers.join(',')}], topics: ["no such topic!"], group_id: sup-bad-${tag} }`,
      `  - { kind: kafka, name: kmissing, brokers: [${brokers.join(',')}], topics: [flowlog-sup-never-${tag}], group_id: sup-missing-${tag} }`,
      `  - { kind: kafka, name: kbroker, brokers: ["127.0.0.1:${deadBroker}"], topics: [${good}], group_id: sup-dead-${tag} }`,
    ].join('\n'));
    await produce(0, 2000);
    const running = await runConfigured(cfg, dir); // returns: no failing source stops the run
    try {
      await waitFor(async () => stored(await running.metrics.render()) >= 2000, 'the first 2000 flows of the healthy source', 60_000);
      // faults mid-run: the doomed topic goes, the IPAM file turns to junk
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try { await admin.deleteTopics({ topics: [doomed] }); } finally { await admin.disconnect(); }
      writeFileSync(ipam, 'prefixes: [ { cidr: 10.0.0.0/8 \n');
      await produce(2000, 4000); // ...while the healthy source keeps receiving
      await waitFor(async () => stored(await running.metrics.render()) >= 4000, 'all 4000 flows of the healthy source, with the faults around it', 60_000);
      await waitFor(async () => {
        const h = (await healthz(metricsPort)).body;
        return h.ipam?.state === 'failed' && h.reports?.hook?.state === 'failed'
          && ['s3down', 's3creds', 's3nobucket', 'kbadtopic', 'kmissing', 'kdeleted', 'kbroker'].every((s) => h.sources[s]?.state === 'failed');
      }, 'every faulty part reported failed in /healthz', 60_000);
      const { status, body } = await healthz(metricsPort);
      expect(status, JSON.stringify(body)).toBe(200); // one source of several failing is not unhealthy
      expect(body.status).toBe('ok');
      expect(body.store.state).toBe('ok');
      expect(body.sources.good!.state).toBe('running');
      expect(body.sources.s3down!.error!.code).toBe('SOURCE_UNAVAILABLE');
      expect(body.sources.s3creds!.error!.code).toBe('SOURCE_ACCESS_DENIED');
      expect(body.sources.s3nobucket!.error!.code).toBe('SOURCE_NOT_FOUND');
      expect(body.sources.kbadtopic!.error!.code).toBe('SOURCE_NOT_FOUND');
      expect(body.sources.kbroker!.error!.code).toBe('SOURCE_UNAVAILABLE');
      expect(body.sources.kmissing!.error!.code).toBe('SOURCE_NOT_FOUND');
      expect(body.sources.kdeleted!.error!.code).toBe('SOURCE_NOT_FOUND'); // deleted under a running consumer
      expect(body.ipam!.error!.code).toBe('IPAM_INVALID');
      expect(body.reports!.hook!.error!.code).toBe('DELIVERY_FAILED');
      const text = await running.metrics.render();
      expect(text).toMatch(/^flowlog_source_up\{source="good"\} 1$/m);
      for (const bad of ['s3down', 's3creds', 's3nobucket', 'kbadtopic', 'kmissing', 'kdeleted', 'kbroker']) expect(text).toMatch(new RegExp(`^flowlog_source_up\\{source="${bad}"\\} 0$`, 'm'));
      for (const code of ['SOURCE_UNAVAILABLE', 'SOURCE_ACCESS_DENIED', 'SOURCE_NOT_FOUND']) expect(counter(text, 'flowlog_errors_total', `component="source",code="${code}"`)).toBeGreaterThan(0);
      expect(counter(text, 'flowlog_errors_total', 'component="ipam",code="IPAM_INVALID"')).toBeGreaterThan(0);
      expect(counter(text, 'flowlog_errors_total', 'component="report",code="DELIVERY_FAILED"')).toBeGreaterThan(0);
      expect(counter(text, 'flowlog_ipam_reloads_total', 'result="rejected"')).toBeGreaterThan(0);
      // retried with backoff: the bad S3 sources failed more than once in the run
      expect(counter(text, 'flowlog_errors_total', 'component="source",code="SOURCE_NOT_FOUND"')).toBeGreaterThan(1);
      expect(hook.received.length).toBeGreaterThan(1); // the webhook was tried again
      // the healthy source keeps going after all of it
      await produce(0, 400);
      await waitFor(async () => stored(await running.metrics.render()) >= 4400, 'flows still stored after the faults', 60_000);
    } finally {
      await running.stop();
      await hook.close();
    }
  });

  it('answers 503 when every source is down, naming each', { timeout: 60_000 }, async () => {
    const downPort = await freePort(), metricsPort = await freePort();
    const cfg = parseConfig([
      `store: { kind: embedded, data_dir: ${JSON.stringify(join(dir, 'store-down'))} }`,
      `metrics: { listen: "127.0.0.1:${metricsPort}" }`,
      'sources:',
      `  - { kind: s3, name: a, mode: poll, uri: "s3://${bucket}/AWSLogs/", endpoint: "http://127.0.0.1:${downPort}", access_key: { env: FLOWLOG_SUP_KEY }, secret_key: { env: FLOWLOG_SUP_SECRET } }`,
      `  - { kind: s3, name: b, mode: poll, uri: "s3://${bucket}-missing/AWSLogs/", endpoint: "${process.env.S3_ENDPOINT}", access_key: { env: FLOWLOG_SUP_KEY }, secret_key: { env: FLOWLOG_SUP_SECRET } }`,
    ].join('\n'));
    const running = await runConfigured(cfg, dir);
    try {
      await waitFor(async () => (await healthz(metricsPort)).status === 503, '/healthz 503 with every source down', 30_000);
      const { body } = await healthz(metricsPort);
      expect(body.status).toBe('unhealthy');
      expect(body.store.state).toBe('ok'); // not the store: the sources
      expect(body.sources.a!.error!.code).toBe('SOURCE_UNAVAILABLE');
      expect(body.sources.b!.error!.code).toBe('SOURCE_NOT_FOUND');
      const text = await running.metrics.render();
      expect(text).toMatch(/^flowlog_source_up\{source="a"\} 0$/m);
      expect(text).toMatch(/^flowlog_source_up\{source="b"\} 0$/m);
    } finally { await running.stop(); }
  });
});
