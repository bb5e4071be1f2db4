/**
 * `batch_rows` bounds every insert of every source `flowlog run` starts: the
 * Kafka source once ignored it (inserts of over 10,000 flows with
 * batch_rows: 2000), since the runner never passed the size on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { waitFor } from '../../../test/wait.js';
import { parseConfig } from '../../config/load-config.js';
import { benchLines } from '../../bench/dataset.js';
import { runConfigured } from '../runner.js';

describe('batch_rows', () => {
  it('bounds the Kafka source\'s inserts', async () => {
    const brokers = process.env.KAFKA_BROKERS!.split(',');
    const topic = testTopic('batch-rows');
    const kafka = await createTopic(brokers, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    // 12,000 flows in one fetch: one round, which must still be cut into inserts of at most 2,000
    const lines = benchLines(12_000, 7);
    for (let m = 0; m < 120; m += 20) {
      await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: lines.slice((m + i) * 100, (m + i + 1) * 100).join('\n') })) });
    }
    await producer.disconnect();
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-batch-rows-'));
    const cfg = parseConfig([`store: { kind: embedded, data_dir: ${join(dir, 'store')} }`, 'batch_rows: 2000', 'sources:',
      `  - { kind: kafka, name: k, brokers: [${brokers.join(', ')}], topics: [${topic}], group_id: g-${topic} }`].join('\n'));
    const running = await runConfigured(cfg, dir);
    try {
      const scrape = async () => (await Promise.resolve(running.metrics.render())).toString();
      const series = (text: string, name: string) => Number(new RegExp(`^${name}\\{source="k"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      await waitFor(async () => series(await scrape(), 'flowlog_flows_stored_total') === 12_000, '12,000 flows stored');
      const text = await scrape();
      // the fetch holds all 12,000 (one round): at least six inserts, none above the 10,000 bucket (2,000 each)
      const inserts = series(text, 'flowlog_batch_rows_count');
      expect(inserts).toBeGreaterThanOrEqual(6);
      expect(Number(/^flowlog_batch_rows_bucket\{source="k",le="10000"\} (\d+)/m.exec(text)?.[1] ?? -1)).toBe(inserts);
    } finally {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
