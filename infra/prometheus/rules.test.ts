/**
 * The alert rules hold together without promtool (promtool.int.test.ts runs
 * it): the PrometheusRule manifest is the rules file, every alert the issue
 * asks for exists with a severity, annotations and a runbook heading that
 * exists, every metric an expression names is one flowlog exports, and the
 * promtool unit tests see every alert both fire and stay quiet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../services/telemetry/catalogue.js';
import { REPO_ROOT } from '../../test/paths.js';
import { parseRules, prometheusRule, PROMETHEUS_RULE_FILE, RULES_FILE } from './prometheus-rule.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const rules = parseRules(read(RULES_FILE)).groups.flatMap((g) => g.rules);

const ALERTS = ['FlowlogDown', 'FlowlogNoNewFlows', 'FlowlogStoreWaiting', 'FlowlogConsumerLagGrowing', 'FlowlogRejectRate',
  'FlowlogSourceDown', 'FlowlogDetectorFailing', 'FlowlogReportFailing'];

/** Metric names an expression reads: flowlog_* and Prometheus's own `up`. */
function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(flowlog_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1]!))];
}

/** A histogram exposes <name>_bucket, _sum and _count. */
const exported = new Set(METRICS.flatMap((m) => (m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])));

interface RuleTests { rule_files: string[]; tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] }

describe('alert rules', () => {
  it('the PrometheusRule manifest is generated from the rules file (run: node --import tsx infra/prometheus/prometheus-rule.ts)', () => {
    expect(read(PROMETHEUS_RULE_FILE)).toBe(prometheusRule(read(RULES_FILE)));
    const manifest = parse(read(PROMETHEUS_RULE_FILE)) as { kind: string; spec: unknown };
    expect(manifest.kind).toBe('PrometheusRule');
    expect(manifest.spec).toEqual(parseRules(read(RULES_FILE)));
  });

  it('the Helm chart serves the same rules (infra/helm/flowlog/files/flowlog-rules.yaml is a copy of the rules file)', () => {
    expect(read('infra/helm/flowlog/files/flowlog-rules.yaml'), 'copy infra/prometheus/flowlog-rules.yaml into the chart').toBe(read(RULES_FILE));
  });

  it('has every alert the operations page promises, in group flowlog', () => {
    expect(parseRules(read(RULES_FILE)).groups.map((g) => g.name)).toEqual(['flowlog']);
    expect(rules.map((r) => r.alert)).toEqual(ALERTS);
  });

  it('gives each alert a severity, a summary, a description and a runbook heading that exists in docs/operations.md', () => {
    const page = read('docs/operations.md');
    expect(page).toMatch(/^## Alerts$/m);
    for (const r of rules) {
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      expect(r.annotations?.runbook_url, r.alert).toBe(`docs/operations.md#${r.alert!.toLowerCase()}`);
      expect(page, `docs/operations.md needs a heading "### ${r.alert}"`).toMatch(new RegExp(`^### ${r.alert}$`, 'm'));
    }
  });

  it('names only metrics flowlog exports (services/telemetry/catalogue.ts), and up', () => {
    const used = rules.flatMap((r) => metricNames(r.expr));
    expect(used).toContain('flowlog_newest_flow_timestamp_seconds');
    expect(used.filter((n) => n !== 'up' && !exported.has(n))).toEqual([]);
  });

  it('reads metric names out of an expression, and would catch an unknown one', () => {
    expect(metricNames('sum by (source) (rate(flowlog_records_rejected_total[15m])) / up{job="x"}')).toEqual(['flowlog_records_rejected_total', 'up']);
    expect(exported.has('flowlog_detect_duration_seconds_bucket')).toBe(true);
    expect(exported.has('flowlog_no_such_metric')).toBe(false);
  });

  it('the promtool unit tests see every alert fire and stay quiet', () => {
    const file = parse(read('infra/prometheus/flowlog-rules.test.yaml')) as RuleTests;
    expect(file.rule_files).toEqual(['flowlog-rules.yaml']);
    const evals = file.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of ALERTS) {
      const mine = evals.filter((e) => e.alertname === alert);
      expect(mine.some((e) => (e.exp_alerts ?? []).length > 0), `${alert} never fires in flowlog-rules.test.yaml`).toBe(true);
      expect(mine.some((e) => (e.exp_alerts ?? []).length === 0), `${alert} is never shown quiet in flowlog-rules.test.yaml`).toBe(true);
    }
  });
});
