/**
 * `flowlog run` runs the detectors and the reports on their cron schedules:
 * with every-second schedules, a run over a store holding an injected scan
 * records the finding and delivers a report to its folder, then stops
 * cleanly on SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exited, startRun, started } from './harness.js';
import { createTopic, testTopic } from '../../../test/kafka.js';
import { hangingWebhookServer } from '../../report/test/webhook-server.js';

const brokers = () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
  return process.env.KAFKA_BROKERS;
};
const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const spawnIngest = (dir: string) => spawnSync(process.execPath, [BIN, 'ingest', join(dir, 'scan.log.gz'), '--quiet'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store') } });
const spawnSql = (dir: string, sql: string) => spawnSync(process.execPath, [BIN, 'sql', sql, '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store') } });

describe('scheduled detectors and reports', () => {
  it('finds a scan on schedule and delivers the report', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-sched-'));
    try {
      // a scan happening now: 60 ports on 30 hosts, refused
      const now = Math.floor(Date.now() / 1000) - 60;
      const lines = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
        ...Array.from({ length: 60 }, (_, k) => `2 123456789012 eni-0a1b2c3d4e5f67890 45.155.1.2 10.1.0.${1 + (k % 30)} 50000 ${1 + k} 6 1 40 ${now} ${now + 10} REJECT OK`)];
      writeFileSync(join(dir, 'scan.log.gz'), gzipSync(lines.join('\n')));
      const topic = testTopic('flowlog-sched');
      await createTopic(brokers().split(','), topic, 1);
      const cfg = join(dir, 'flowlog.yaml');
      writeFileSync(cfg, [
        'store: { kind: embedded, data_dir: store }',
        // a quiet topic keeps the run going while the schedules fire
        `sources: [ { kind: kafka, name: quiet, brokers: [${brokers()}], topics: [${topic}], group_id: ${topic}-sched } ]`,
        'detect: { schedule: "* * * * * *", egress_schedule: "0 0 1 1 *" }',
        'reports: [ { name: test, cron: "*/2 * * * * *", since: 1h, deliver: [ { dir: reports } ] } ]',
      ].join('\n'));
      // ingest first (a one-shot), then the long-running run with the schedules
      const ingest = spawnIngest(dir);
      expect(ingest.status, ingest.stderr).toBe(0);
      const run = startRun(cfg, {}, dir);
      await started(run);
      const t0 = Date.now();
      while (!existsSync(join(dir, 'reports', 'latest', 'report.json')) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 300));
      await new Promise((r) => setTimeout(r, 2500)); // at least one detector run after the data
      run.child.kill('SIGTERM');
      expect(await exited(run.child), run.stderr()).toBe(0);
      expect(run.stderr()).toContain('"event":"detect.run"');
      expect(run.stderr()).toContain('"event":"report.delivered"');
      const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest', 'report.json'), 'utf8')) as { totals: { flows: number } };
      expect(report.totals.flows).toBe(60);
      const q = spawnSql(dir, "SELECT detector, entity FROM anomalies_current");
      expect(q.status, q.stderr).toBe(0);
      expect(JSON.parse(q.stdout)).toEqual({ detector: 'scan', entity: 'src=45.155.1.2' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits within seconds of SIGTERM while a report hangs on its webhook, shutdown.done last', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-sched-hang-'));
    const hook = await hangingWebhookServer();
    try {
      const topic = testTopic('flowlog-hang');
      await createTopic(brokers().split(','), topic, 1);
      const cfg = join(dir, 'flowlog.yaml');
      writeFileSync(cfg, [
        'store: { kind: embedded, data_dir: store }',
        `sources: [ { kind: kafka, name: quiet, brokers: [${brokers()}], topics: [${topic}], group_id: ${topic}-hang } ]`,
        'reports: [ { name: test, cron: "* * * * * *", since: 1h, deliver: [ { webhook: { url: { env: HOOK_URL } } } ] } ]',
      ].join('\n'));
      const run = startRun(cfg, { HOOK_URL: hook.url('/services/T0/B0/secret') }, dir);
      await started(run);
      const t0 = Date.now();
      while (hook.posts() === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
      expect(hook.posts()).toBeGreaterThan(0);
      const killed = Date.now();
      run.child.kill('SIGTERM');
      expect(await exited(run.child), run.stderr()).toBe(0);
      expect(Date.now() - killed).toBeLessThan(8000); // the webhook's 10 s timeout and retries used to keep it ~30 s
      const events = run.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { event: string }).event);
      expect(events.at(-1)).toBe('shutdown.done');
    } finally {
      await hook.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
