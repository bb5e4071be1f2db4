/**
 * Prometheus metrics (prom-client) and a health check over plain HTTP
 * (/metrics, /healthz). Each Metrics owns its registry (tests make several),
 * with the default process_ and nodejs_ metrics (CPU, memory, event loop, GC)
 * and flowlog_build_info.
 *
 * Callers name metrics by string (`inc('flowlog_rounds_total', labels)`): a
 * name or label set that was never defined throws instead of going nowhere,
 * so a typo fails the first test that reaches it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FlowlogError } from '../core/errors.js';
import { METRICS, type MetricSpec } from './catalogue.js';
import { redactDeep, redactText } from './redact.js';

export type Labels = Record<string, string | number>;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** prom-client writes `le` first; Prometheus's own clients write it last, and our scrapes (and people) read it there. */
class LeLastHistogram extends Histogram<string> {
  async getForPromString(): Promise<unknown> {
    const base = (Histogram.prototype as unknown as { getForPromString(this: Histogram<string>): Promise<{ values: { labels: Labels; sharedLabels?: Labels }[] }> }).getForPromString;
    const data = await base.call(this);
    data.values = data.values.map((v) => ({ ...v, labels: { ...v.sharedLabels, ...v.labels }, sharedLabels: {} }));
    return data;
  }
}

interface Defined {
  type: MetricSpec['type'];
  labels: readonly string[];
  metric: Counter<string> | Gauge<string> | Histogram<string>;
  /** Label values filled in when a caller leaves them out (see standardMetrics). */
  defaults: Labels;
}

/**
 * Redacted (a label value can hold a broker or endpoint URL); then quotes, backslashes and newlines
 * become `_`: a value needs no escaping in the exposition or in a PromQL selector.
 */
const clean = (v: string | number) => redactText(String(v)).replace(/["\\\n]/g, '_');

export class Metrics {
  readonly registry = new Registry();
  private readonly defined = new Map<string, Defined>();
  private readonly aliases = new Map<string, (labels: Labels, value: number) => void>();
  healthy: () => Promise<{ ok: boolean; detail: Record<string, unknown> }> = async () => ({ ok: true, detail: {} });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // prom-client's totals of nodejs_active_{handles,requests,resources} are gauges named `_total`, which
    // `promtool check metrics` rejects (that suffix means a counter); sum the per-type gauges instead.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.defineSpec(METRICS.find((s) => s.name === 'flowlog_build_info')!);
    this.set('flowlog_build_info', { version: VERSION, node: process.versions.node }, 1);
  }

  define(name: string, type: 'counter' | 'gauge', help: string, labels: readonly string[] = []): void {
    this.defineSpec({ name, type, help, labels });
  }

  defineHistogram(name: string, help: string, buckets: readonly number[], labels: readonly string[] = []): void {
    this.defineSpec({ name, type: 'histogram', help, labels, buckets });
  }

  defineSpec(spec: MetricSpec, defaults: Labels = {}): void {
    const config = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] };
    const metric = spec.type === 'counter' ? new Counter(config)
      : spec.type === 'gauge' ? new Gauge(config)
        : new LeLastHistogram({ ...config, buckets: [...(spec.buckets ?? [])] });
    this.defined.set(spec.name, { type: spec.type, labels: spec.labels, metric, defaults });
  }

  /** An old name kept working while callers move: `inc/set/observe(name, ...)` runs `apply` instead. */
  alias(name: string, apply: (labels: Labels, value: number) => void): void {
    this.aliases.set(name, apply);
  }

  /** The defined metric names, in definition order (default process_/nodejs_ metrics aside). */
  names(): string[] { return [...this.defined.keys()]; }

  inc(name: string, labels: Labels = {}, by = 1): void {
    if (this.viaAlias(name, labels, by)) return;
    (this.metric(name, labels, ['counter', 'gauge']) as Counter<string>).inc(this.labels(name, labels), by);
  }

  set(name: string, labels: Labels, v: number): void {
    if (this.viaAlias(name, labels, v)) return;
    (this.metric(name, labels, ['gauge']) as Gauge<string>).set(this.labels(name, labels), v);
  }

  /** One observation: prom-client keeps the cumulative le-buckets, _sum and _count. */
  observe(name: string, labels: Labels, v: number): void {
    if (this.viaAlias(name, labels, v)) return;
    (this.metric(name, labels, ['histogram']) as Histogram<string>).observe(this.labels(name, labels), v);
  }

  /** The text exposition format (prom-client collects asynchronously). */
  render(): Promise<string> { return this.registry.metrics(); }

  listen(hostPort: string): Promise<Server> {
    const i = hostPort.lastIndexOf(':');
    const server = createServer((req, res) => {
      if (req.url === '/metrics') {
        this.render().then(
          (text) => res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text),
          (e: Error) => res.writeHead(500).end(`${e.message}\n`),
        );
        return;
      }
      if (req.url === '/healthz') {
        this.healthy().then(
          (h) => res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...(redactDeep(h.detail) as object) })),
          (e: Error) => res.writeHead(503).end(JSON.stringify({ status: 'unhealthy', error: redactText(e.message) })),
        );
        return;
      }
      res.writeHead(404).end('try /metrics or /healthz\n');
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(hostPort.slice(i + 1)), hostPort.slice(0, i) || '127.0.0.1', () => resolve(server));
    });
  }

  private viaAlias(name: string, labels: Labels, v: number): boolean {
    const apply = this.defined.has(name) ? undefined : this.aliases.get(name);
    apply?.(labels, v);
    return apply !== undefined;
  }

  private metric(name: string, labels: Labels, types: MetricSpec['type'][]): Defined['metric'] {
    const d = this.defined.get(name);
    if (!d) {
      throw new FlowlogError('METRIC_UNKNOWN', `metric ${name} is not defined`, 'define it in services/telemetry/catalogue.ts (and the operations doc), or fix the name');
    }
    if (!types.includes(d.type)) {
      throw new FlowlogError('METRIC_UNKNOWN', `metric ${name} is a ${d.type}, not a ${types.join(' or ')}`, 'use inc for counters, set for gauges, observe for histograms');
    }
    const given = Object.keys({ ...d.defaults, ...labels }).sort();
    const wanted = [...d.labels].sort();
    if (given.join(',') !== wanted.join(',')) {
      throw new FlowlogError('METRIC_LABELS_INVALID', `metric ${name} takes labels {${wanted.join(', ')}}, got {${Object.keys(labels).join(', ')}}`,
        'pass exactly the labels the metric declares in services/telemetry/catalogue.ts');
    }
    return d.metric;
  }

  /** In declaration order, so every series of a metric lists its labels alike. */
  private labels(name: string, labels: Labels): Record<string, string> {
    const d = this.defined.get(name)!;
    const out: Record<string, string> = {};
    for (const k of d.labels) out[k] = clean(labels[k] ?? d.defaults[k]!);
    return out;
  }
}

/**
 * The metrics of `flowlog run`: every entry of the catalogue, plus the old
 * call shapes runner.ts still uses (each goes once it calls events.ts):
 * - `inc('flowlog_round_seconds_total', {source}, seconds)` observes flowlog_round_duration_seconds;
 * - flowlog_records_rejected_total without a reason counts as reason="unclassified".
 */
export function standardMetrics(): Metrics {
  const m = new Metrics();
  for (const spec of METRICS) {
    if (spec.name === 'flowlog_build_info') continue;
    m.defineSpec(spec, spec.name === 'flowlog_records_rejected_total' ? { reason: 'unclassified' } : {});
  }
  m.alias('flowlog_round_seconds_total', (labels, seconds) => m.observe('flowlog_round_duration_seconds', labels, seconds));
  return m;
}
