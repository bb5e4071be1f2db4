import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { telemetryEvents } from '../events.js';
import { log, setLogLevel, setLogSink, logLevel } from '../log.js';
import { standardMetrics } from '../metrics.js';

let lines: Record<string, unknown>[] = [];
let restore: (line: string) => void;
const level = logLevel();
beforeEach(() => { lines = []; restore = setLogSink((l) => lines.push(JSON.parse(l) as Record<string, unknown>)); setLogLevel('debug'); });
afterEach(() => { setLogSink(restore); setLogLevel(level); });

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('telemetry events', () => {
  it('one call logs one JSON line (time, level, event, source) and counts', async () => {
    const m = standardMetrics();
    const ev = telemetryEvents(m);
    ev.recordsRejected({ source: 'vpc', reason: 'BAD_ADDR', count: 4 });
    ev.recordsRejected({ source: 'vpc', reason: 'BAD_ADDR', count: 2 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'warn', event: 'records.rejected', source: 'vpc', reason: 'BAD_ADDR', count: 4 });
    expect(sample(await m.render(), 'flowlog_records_rejected_total{source="vpc",reason="BAD_ADDR"}')).toBe(6);
  });

  it('flowsStored counts rows and batches, observes the histograms, and keeps the newest flow time', async () => {
    const m = standardMetrics();
    const ev = telemetryEvents(m);
    ev.flowsStored({ source: 's3', rows: 1000, seconds: 0.2, newestFlowAt: new Date('2026-01-05T10:00:00Z') });
    ev.flowsStored({ source: 's3', rows: 500, seconds: 0.1, newestFlowAt: new Date('2026-01-05T09:00:00Z') }); // older: freshness stays
    const text = await m.render();
    expect(sample(text, 'flowlog_flows_stored_total{source="s3"}')).toBe(1500);
    expect(sample(text, 'flowlog_batches_total{source="s3"}')).toBe(2);
    expect(sample(text, 'flowlog_batch_rows_sum{source="s3"}')).toBe(1500);
    expect(sample(text, 'flowlog_insert_seconds_bucket{source="s3",le="0.1"}')).toBe(1);
    expect(sample(text, 'flowlog_insert_seconds_count{source="s3"}')).toBe(2);
    expect(sample(text, 'flowlog_newest_flow_timestamp_seconds{source="s3"}')).toBe(Date.parse('2026-01-05T10:00:00Z') / 1000);
    expect(lines.map((l) => [l.level, l.event, l.source])).toEqual([['debug', 'flows.stored', 's3'], ['debug', 'flows.stored', 's3']]);
  });

  it('error logs <component>.failed with the stable code and counts it by component and code', async () => {
    const m = standardMetrics();
    const ev = telemetryEvents(m, log.child({ source: 'k' }));
    ev.error({ component: 'store', error: new FlowlogError('STORE_INSERT_FAILED', 'insert refused') });
    ev.error({ component: 'store', error: new Error('boom') });
    expect(lines[0]).toMatchObject({ level: 'error', event: 'store.failed', source: 'k', code: 'STORE_INSERT_FAILED', error: 'insert refused' });
    expect(lines[1]).toMatchObject({ code: 'INTERNAL', error: 'boom' });
    const text = await m.render();
    expect(sample(text, 'flowlog_errors_total{component="store",code="STORE_INSERT_FAILED"}')).toBe(1);
    expect(sample(text, 'flowlog_errors_total{component="store",code="INTERNAL"}')).toBe(1);
  });

  it('store retries set flowlog_store_waiting until a round gets through, which logs the recovery once', async () => {
    const m = standardMetrics();
    const ev = telemetryEvents(m);
    ev.storeRetry({ attempt: 1, waitMs: 200.4, error: new FlowlogError('STORE_QUERY_FAILED', 'down') });
    expect(sample(await m.render(), 'flowlog_store_waiting')).toBe(1);
    ev.kafkaRound({ source: 'k', partition: 0, lag: 7, seconds: 1.5 });
    ev.kafkaRound({ source: 'k', partition: 1, lag: 0, seconds: 0.5 });
    const text = await m.render();
    expect(sample(text, 'flowlog_store_waiting')).toBe(0);
    expect(sample(text, 'flowlog_store_retries_total')).toBe(1);
    expect(sample(text, 'flowlog_consumer_lag{source="k",partition="0"}')).toBe(7);
    expect(sample(text, 'flowlog_rounds_total{source="k"}')).toBe(2);
    expect(sample(text, 'flowlog_round_duration_seconds_sum{source="k"}')).toBe(2);
    expect(lines.map((l) => l.event)).toEqual(['store.retry', 'kafka.round', 'store.recovered', 'kafka.round']);
    expect(lines[0]).toMatchObject({ level: 'warn', attempt: 1, wait_ms: 200, code: 'STORE_QUERY_FAILED' });
  });

  it('sourceRound logs the round and each unfinished object, counting objects, rounds and their duration', async () => {
    const m = standardMetrics();
    const ev = telemetryEvents(m);
    ev.sourceRound({ source: 'b', objects: 3, skipped: 1, rows: 10, rejected: 0, seconds: 2, unfinished: [{ object: 'x.gz', reason: 'reset' }] });
    const text = await m.render();
    expect(sample(text, 'flowlog_objects_total{source="b"}')).toBe(3);
    expect(sample(text, 'flowlog_objects_unfinished_total{source="b"}')).toBe(1);
    expect(sample(text, 'flowlog_round_duration_seconds_count{source="b"}')).toBe(1);
    expect(lines.map((l) => [l.event, l.source])).toEqual([['source.round', 'b'], ['source.unfinished', 'b']]);
  });

  it('ipam reloads, detector runs and reports count by result', async () => {
    const m = standardMetrics();
    const ev = telemetryEvents(m);
    ev.ipamReload({ result: 'loaded', version: 'v1', entries: 12, problems: [], ms: 3 });
    ev.ipamReload({ result: 'rejected', error: 'bad yaml' });
    ev.detectRun({ detectors: ['scan'], findings: 2, ms: 250, recorded: { scan: { opened: 2, resolved: 1 } } });
    ev.reportDelivered({ report: 'daily', findings: 2, to: ['dir out'] });
    ev.reportFailed({ report: 'daily', error: new FlowlogError('DELIVERY_FAILED', 'no') });
    const text = await m.render();
    expect(sample(text, 'flowlog_ipam_reloads_total{result="loaded"}')).toBe(1);
    expect(sample(text, 'flowlog_ipam_reloads_total{result="rejected"}')).toBe(1);
    expect(sample(text, 'flowlog_ipam_entries')).toBe(12);
    expect(sample(text, 'flowlog_findings_total{detector="scan",change="opened"}')).toBe(2);
    expect(sample(text, 'flowlog_detect_duration_seconds_sum')).toBe(0.25);
    expect(sample(text, 'flowlog_reports_total{result="delivered"}')).toBe(1);
    expect(sample(text, 'flowlog_reports_total{result="failed"}')).toBe(1);
    expect(sample(text, 'flowlog_errors_total{component="report",code="DELIVERY_FAILED"}')).toBe(1);
    expect(lines.map((l) => l.event)).toEqual(['ipam.loaded', 'ipam.rejected', 'detect.run', 'report.delivered', 'report.failed']);
  });

  it('a report delivered over missing data is a warning that carries the alert', () => {
    const ev = telemetryEvents();
    ev.reportDelivered({ report: 'daily', findings: 0, to: ['dir out'], data: 'ok', alert: null });
    ev.reportDelivered({ report: 'daily', findings: 0, to: ['dir out'], data: 'none', alert: 'NO DATA: no flows' });
    expect(lines.map((l) => [l.level, l.event, l.data, l.alert])).toEqual([
      ['info', 'report.delivered', undefined, undefined], ['warn', 'report.delivered', 'none', 'NO DATA: no flows']]);
  });

  it('without a Metrics only logs', () => {
    telemetryEvents().signal({ signal: 'SIGTERM' });
    expect(lines).toEqual([{ time: expect.any(String), level: 'info', event: 'signal', signal: 'SIGTERM' }]);
  });
});
