/**
 * A violation is in the store within seconds of its flow reaching Kafka: the
 * consumer enriches and judges each batch as it arrives and stores the
 * violations with the batch. Measured from produce to the row being queryable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import { withStore } from '../../../../test/temp-store.js';
import { openEnricher } from '../../open.js';
import { withPolicy } from '../../settings.js';
import { KafkaIngest } from '../../../pipeline/kafka-ingest.js';

describe('segmentation latency', () => {
  it('records a breach within 60 s of its flow reaching Kafka', { timeout: 120_000 }, async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-seglat-'));
    const topic = testTopic('flowlog-seglat');
    writeFileSync(join(dir, 'ipam.yaml'), 'prefixes:\n  - { cidr: 10.1.0.0/16, env: prod, segment: data, owner: payments }\n  - { cidr: 10.2.0.0/16, env: dev, owner: web }\n');
    writeFileSync(join(dir, 'policy.yaml'), 'segments:\n  prod-data: { match: { env: prod, segment: data } }\n  dev: { match: { env: dev } }\ndefault: allow\nrules:\n  - { name: dev-to-data, from: dev, to: prod-data, action: deny }\n');
    try {
      await withStore(async (store) => {
        const enrich = await openEnricher(withPolicy({ settings: { files: [join(dir, 'ipam.yaml')], rules: [] }, reloadIntervalMs: 0, netboxIntervalMs: 0 }, join(dir, 'policy.yaml')), { store });
        const kafka = await createTopic(brokers.split(','), topic, 1);
        const k = new KafkaIngest(store, { kafka: { brokers: brokers.split(',') }, topics: [topic], groupId: `g-${topic}`, enrich, sessionTimeoutMs: 10_000 });
        await k.start();
        const producer = kafka.producer();
        await producer.connect();
        try {
          const now = Math.floor(Date.now() / 1000);
          const lines = ['2 123456789012 eni-0a1b2c3d4e5f67890 10.1.3.4 10.2.9.9 5432 40000 6 10 9000 NOW NOW ACCEPT OK', // a reply: allowed direction
            '2 123456789012 eni-0a1b2c3d4e5f67890 10.2.9.9 10.1.3.4 40000 5432 6 10 9000 NOW NOW ACCEPT OK'].map((l) => l.replaceAll('NOW', String(now)));
          const t0 = performance.now();
          await producer.send({ topic, messages: [{ value: lines.join('\n') }] });
          let rows: { kind: string; rule: string; src_owner: string; dst_owner: string }[] = [];
          while (performance.now() - t0 < 60_000) {
            rows = await store.queryRows('SELECT kind, rule, src_owner, dst_owner FROM policy_violations');
            if (rows.length) break;
            await new Promise((r) => setTimeout(r, 200));
          }
          const seconds = (performance.now() - t0) / 1000;
          expect(rows).toEqual([{ kind: 'breach', rule: 'dev-to-data', src_owner: 'web', dst_owner: 'payments' }]);
          expect(seconds).toBeLessThan(60);
          process.stderr.write(`segmentation latency: ${seconds.toFixed(2)} s from produce to a stored violation\n`);
        } finally {
          await producer.disconnect();
          await k.stop();
          enrich.stop();
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
