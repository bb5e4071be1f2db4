/**
 * infra/kubernetes/prometheus-rule.yaml is generated from
 * infra/prometheus/flowlog-rules.yaml, so the Prometheus rules and the
 * Kubernetes PrometheusRule (Prometheus Operator) cannot drift:
 * rules.test.ts fails when the committed manifest differs from this output.
 *
 *   node --import tsx infra/prometheus/prometheus-rule.ts    rewrites the manifest
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const RULES_FILE = 'infra/prometheus/flowlog-rules.yaml';
export const PROMETHEUS_RULE_FILE = 'infra/kubernetes/prometheus-rule.yaml';

export interface RuleGroups {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

export function parseRules(text: string): RuleGroups {
  return parse(text) as RuleGroups;
}

export function prometheusRule(rulesText: string): string {
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'flowlog',
      labels: { 'app.kubernetes.io/name': 'flowlog', 'app.kubernetes.io/component': 'alerts' },
    },
    spec: parseRules(rulesText),
  };
  return `# GENERATED from ${RULES_FILE} by infra/prometheus/prometheus-rule.ts: edit the rules file, then\n`
    + '# run `node --import tsx infra/prometheus/prometheus-rule.ts` (infra/prometheus/rules.test.ts checks they match).\n'
    + '# A Prometheus Operator selects PrometheusRules by label (ruleSelector): add the labels yours expects.\n'
    + stringify(manifest, { lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  writeFileSync(root + PROMETHEUS_RULE_FILE, prometheusRule(readFileSync(root + RULES_FILE, 'utf8')));
  process.stdout.write(`wrote ${PROMETHEUS_RULE_FILE}\n`);
}
