import { describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { METRICS } from '../catalogue.js';
import { Metrics, standardMetrics } from '../metrics.js';

describe('metrics', () => {
  it('renders histograms as cumulative buckets with _sum and _count', async () => {
    const m = new Metrics();
    m.defineHistogram('h', 'help', [1, 10], ['source']);
    for (const v of [0.5, 5, 50]) m.observe('h', { source: 'a' }, v);
    const text = await m.render();
    expect(text).toContain('# TYPE h histogram');
    expect(text).toContain('h_bucket{source="a",le="1"} 1');
    expect(text).toContain('h_bucket{source="a",le="10"} 2');
    expect(text).toContain('h_bucket{source="a",le="+Inf"} 3');
    expect(text).toContain('h_sum{source="a"} 55.5');
    expect(text).toContain('h_count{source="a"} 3');
  });

  it('escapes label values that would break the exposition format', async () => {
    const m = new Metrics();
    m.define('c', 'counter', 'help', ['source']);
    m.inc('c', { source: 'a"b\nc' });
    expect(await m.render()).toContain('c{source="a_b_c"} 1');
  });

  it('scrapes the default process and Node.js metrics and flowlog_build_info, per instance', async () => {
    const version = (await import('../../../package.json', { with: { type: 'json' } })).default.version;
    const [a, b] = [new Metrics(), new Metrics()];
    a.define('only_in_a_total', 'counter', 'help');
    a.inc('only_in_a_total');
    const text = await a.render();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    expect(text).toContain(`flowlog_build_info{version="${version}",node="${process.versions.node}"} 1`);
    expect(await b.render()).not.toContain('only_in_a_total');
  });

  it('throws METRIC_UNKNOWN for a name never defined, and METRIC_LABELS_INVALID for other labels', () => {
    const m = standardMetrics();
    const thrown = (f: () => void) => { try { f(); } catch (e) { return e; } return undefined; };
    const unknown = thrown(() => m.inc('flowlog_flows_stored', { source: 'a' }));
    expect(unknown).toBeInstanceOf(FlowlogError);
    expect(unknown).toMatchObject({ code: 'METRIC_UNKNOWN' });
    expect(thrown(() => m.set('flowlog_nope', {}, 1))).toMatchObject({ code: 'METRIC_UNKNOWN' });
    expect(thrown(() => m.observe('flowlog_flows_stored_total', { source: 'a' }, 1))).toMatchObject({ code: 'METRIC_UNKNOWN' });
    expect(thrown(() => m.inc('flowlog_flows_stored_total', { sorce: 'a' }))).toMatchObject({ code: 'METRIC_LABELS_INVALID' });
    expect(thrown(() => m.inc('flowlog_errors_total', { component: 'store' }))).toMatchObject({ code: 'METRIC_LABELS_INVALID' });
  });

  it('keeps the old call shapes of runner.ts working while it moves to events', async () => {
    const m = standardMetrics();
    m.inc('flowlog_round_seconds_total', { source: 'k' }, 2);
    m.inc('flowlog_records_rejected_total', { source: 'k' }, 3);
    const text = await m.render();
    expect(text).toContain('flowlog_round_duration_seconds_count{source="k"} 1');
    expect(text).toContain('flowlog_round_duration_seconds_sum{source="k"} 2');
    expect(text).not.toContain('flowlog_round_seconds_total');
    expect(text).toContain('flowlog_records_rejected_total{source="k",reason="unclassified"} 3');
  });

  it('defines every catalogue metric, named by the Prometheus conventions', async () => {
    const m = standardMetrics();
    expect(m.names()).toEqual(METRICS.map((s) => s.name));
    const text = await m.render();
    for (const s of METRICS) {
      expect(text).toContain(`# TYPE ${s.name} ${s.type}`);
      expect(s.name).toMatch(/^flowlog_[a-z0-9_]+$/);
      if (s.type === 'counter') expect(s.name).toMatch(/_total$/);
      else expect(s.name).not.toMatch(/_total$/);
      if (/seconds/.test(s.name)) expect(s.name).toMatch(s.type === 'histogram' ? /_seconds$/ : /_timestamp_seconds$/);
    }
  });
});
