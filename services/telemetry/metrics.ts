/**
 * Prometheus metrics and a health check over plain HTTP (/metrics, /healthz):
 * counters, gauges and histograms kept as numbers, rendered in the text
 * exposition format.
 */
import { createServer, type Server } from 'node:http';

type Labels = Record<string, string>;
const key = (name: string, labels: Labels) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;

export class Metrics {
  private readonly values = new Map<string, number>();
  private readonly help = new Map<string, [string, 'counter' | 'gauge' | 'histogram']>();
  private readonly buckets = new Map<string, readonly number[]>();
  healthy: () => Promise<{ ok: boolean; detail: Record<string, unknown> }> = async () => ({ ok: true, detail: {} });

  define(name: string, type: 'counter' | 'gauge', help: string): void { this.help.set(name, [help, type]); }
  defineHistogram(name: string, help: string, buckets: readonly number[]): void { this.help.set(name, [help, 'histogram']); this.buckets.set(name, buckets); }

  /** One observation: cumulative le-buckets, _sum and _count, as Prometheus expects. */
  observe(name: string, labels: Labels, v: number): void {
    for (const le of this.buckets.get(name) ?? []) if (v <= le) this.inc(`${name}_bucket`, { ...labels, le: String(le) });
    this.inc(`${name}_bucket`, { ...labels, le: '+Inf' });
    this.inc(`${name}_sum`, labels, v);
    this.inc(`${name}_count`, labels);
  }
  inc(name: string, labels: Labels = {}, by = 1): void { const k = key(name, labels); this.values.set(k, (this.values.get(k) ?? 0) + by); }
  set(name: string, labels: Labels, v: number): void { this.values.set(key(name, labels), v); }

  render(): string {
    const out: string[] = [];
    for (const [name, [help, type]] of this.help) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      const series = type === 'histogram' ? [`${name}_bucket{`, `${name}_sum{`, `${name}_count{`] : [`${name}{`];
      for (const [k, v] of this.values) if (series.some((p) => k.startsWith(p))) out.push(`${k.replace('{}', '')} ${v}`);
    }
    return `${out.join('\n')}\n`;
  }

  listen(hostPort: string): Promise<Server> {
    const i = hostPort.lastIndexOf(':');
    const server = createServer((req, res) => {
      if (req.url === '/metrics') { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(this.render()); return; }
      if (req.url === '/healthz') {
        this.healthy().then(
          (h) => res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...h.detail })),
          (e: Error) => res.writeHead(503).end(JSON.stringify({ status: 'unhealthy', error: e.message })),
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
}

export function standardMetrics(): Metrics {
  const m = new Metrics();
  m.define('flowlog_messages_total', 'counter', 'Kafka messages read, by source');
  m.define('flowlog_flows_stored_total', 'counter', 'flows durably stored, by source');
  m.define('flowlog_records_rejected_total', 'counter', 'records quarantined, by source');
  m.define('flowlog_objects_total', 'counter', 'objects ingested, by source');
  m.define('flowlog_objects_unfinished_total', 'counter', 'objects the source could not deliver to the end (left for the next round), by source');
  m.define('flowlog_batches_total', 'counter', 'batches stored, by source');
  m.define('flowlog_source_up', 'gauge', '1 while a source runs');
  m.define('flowlog_consumer_lag', 'gauge', 'Kafka messages behind the last stored round, by source and partition');
  m.define('flowlog_round_seconds_total', 'counter', 'time spent in Kafka rounds (fetch to commit), by source');
  m.define('flowlog_rounds_total', 'counter', 'Kafka rounds stored and committed, by source');
  m.define('flowlog_store_waiting', 'gauge', '1 while the store is failing and flowlog retries (backpressure: consumption waits)');
  m.define('flowlog_backpressure', 'gauge', '1 while a Kafka source has paused its partitions because the store is behind, by source');
  m.define('flowlog_ipam_reloads_total', 'counter', 'IPAM reloads, by result: loaded | unchanged | rejected (the version in use stays)');
  m.define('flowlog_findings_total', 'counter', 'detector findings opened and resolved, by detector');
  m.define('flowlog_ipam_entries', 'gauge', 'prefixes in the IPAM version in use');
  m.defineHistogram('flowlog_batch_rows', 'flows per insert, by source', [1_000, 10_000, 50_000, 100_000, 200_000, 300_000, 1_000_000]);
  m.defineHistogram('flowlog_insert_seconds', 'time to store one batch (flows, quarantine, ledger), by source', [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  return m;
}
