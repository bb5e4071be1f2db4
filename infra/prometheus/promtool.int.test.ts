/**
 * promtool, built from the Go module proxy by infra/promtool/promtool.sh (a
 * missing promtool is installed, and a failed install fails the suite: never
 * a skip), checks the alert rules, runs their unit tests, and lints a real
 * scrape of `flowlog run`'s /metrics (a folder source for flows and a reject,
 * and a Kafka source that keeps the run alive and reports its lag).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchLines } from '../../services/bench/dataset.js';
import { exited, startRun, type RunChild } from '../../services/run/test/harness.js';
import { createTopic, testTopic } from '../../test/kafka.js';
import { REPO_ROOT } from '../../test/paths.js';
import { waitFor } from '../../test/wait.js';
import { parseRules, PROMETHEUS_RULE_FILE, RULES_FILE } from './prometheus-rule.js';

const SCRIPT = join(REPO_ROOT, 'infra/promtool/promtool.sh');
let promtool = '';
let dir = '';

function promtoolRun(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(promtool, args, { cwd: REPO_ROOT, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  // Builds promtool the first time (minutes); later runs find the pinned version installed.
  const r = spawnSync('bash', [SCRIPT, 'install'], { encoding: 'utf8', timeout: 40 * 60_000 });
  if (r.status !== 0) throw new Error(`infra/promtool/promtool.sh install failed (exit ${r.status}):\n${r.stderr}`);
  promtool = /^PROMTOOL=(.+)$/m.exec(r.stdout)?.[1] ?? '';
  if (!promtool) throw new Error(`infra/promtool/promtool.sh install printed no PROMTOOL= line:\n${r.stdout}`);
  dir = mkdtempSync(join(tmpdir(), 'flowlog-promtool-'));
}, 40 * 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('promtool', () => {
  it('is installed at the pinned version, and a second install builds nothing', () => {
    const status = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' });
    expect(status.status, status.stdout + status.stderr).toBe(0);
    const again = spawnSync('bash', [SCRIPT, 'install'], { encoding: 'utf8', timeout: 60_000 });
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/building/);
    expect(again.stdout.trim()).toBe(`PROMTOOL=${promtool}`);
    expect(promtoolRun(['--version']).out).toMatch(/^promtool, version/);
  });

  it('check rules: the rules file is valid', () => {
    const r = promtoolRun(['check', 'rules', RULES_FILE]);
    expect(r.out).toMatch(/SUCCESS: 8 rules found/);
    expect(r.status, r.out).toBe(0);
  });

  it('check rules: the PrometheusRule manifest carries valid rules', () => {
    const spec = (parse(readFileSync(join(REPO_ROOT, PROMETHEUS_RULE_FILE), 'utf8')) as { spec: unknown }).spec;
    const file = join(dir, 'from-manifest.yaml');
    writeFileSync(file, stringify(spec));
    const r = promtoolRun(['check', 'rules', file]);
    expect(r.out).toMatch(/SUCCESS: 8 rules found/);
    expect(r.status, r.out).toBe(0);
  });

  it('check rules: would reject a broken rule', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: rate(flowlog_flows_stored_total[5m]\n');
    expect(promtoolRun(['check', 'rules', file]).status).not.toBe(0);
  });

  it('test rules: every alert fires and stays quiet as flowlog-rules.test.yaml expects', () => {
    const r = promtoolRun(['test', 'rules', 'infra/prometheus/flowlog-rules.test.yaml']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS/);
  });

  it('check metrics: a real scrape of flowlog run reports no problems', async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    // flows, and a line no parser takes, so the reject counter has a series too
    writeFileSync(join(logs, 'flows.log'), [...benchLines(500, 3), 'this is not a flow log line'].join('\n') + '\n');
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka; it must not be missing');
    const topic = testTopic('promtool');
    await createTopic(process.env.KAFKA_BROKERS.split(','), topic, 1);
    const config = join(dir, 'flowlog.yaml');
    writeFileSync(config, [`store: { kind: embedded, data_dir: ${join(dir, 'store')} }`, 'sources:', `  - { kind: local, name: folder, path: ${logs} }`,
      `  - { kind: kafka, name: stream, brokers: [${process.env.KAFKA_BROKERS}], topics: [${topic}], group_id: g-${topic} }`,
      `metrics: { listen: "127.0.0.1:${port}" }`].join('\n') + '\n');
    const run: RunChild = startRun(config, { FLOWLOG_LOG_LEVEL: 'warn' });
    try {
      const scrape = async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`);
          return res.ok ? await res.text() : '';
        } catch {
          return '';
        }
      };
      let text = '';
      await waitFor(async () => /^flowlog_flows_stored_total\{source="folder"\} 500$/m.test(text = await scrape()), '500 flows stored', 90_000)
        .catch((e: Error) => { throw new Error(`${e.message}; flowlog run's log:\n${run.stderr()}`); });
      // what the alerts read is in the scrape
      for (const name of ['flowlog_build_info', 'flowlog_newest_flow_timestamp_seconds', 'flowlog_records_rejected_total', 'flowlog_source_up', 'process_cpu_seconds_total', 'nodejs_gc_duration_seconds_bucket']) {
        expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
      }
      // every flowlog metric an alert reads is declared in the scrape
      const named = parseRules(readFileSync(join(REPO_ROOT, RULES_FILE), 'utf8')).groups.flatMap((g) => g.rules)
        .flatMap((rule) => [...rule.expr.matchAll(/\bflowlog_[a-z0-9_]+/g)].map((m) => m[0]));
      expect(named.length).toBeGreaterThan(8);
      expect(named.filter((name) => !text.includes(`\n# TYPE ${name} `))).toEqual([]);
      const r = promtoolRun(['check', 'metrics'], text);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    } finally {
      run.child.kill('SIGTERM');
      await exited(run.child);
    }
  }, 120_000);

  it('check metrics: would report a problem in a scrape', () => {
    const r = promtoolRun(['check', 'metrics'], '# HELP flowlog_things things\n# TYPE flowlog_things counter\nflowlog_things 1\n');
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/counter metrics should have "_total" suffix/);
  });
});
