import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_BATCH_ROWS, MEMORY_PROFILES } from '../../../schemas/config.js';
import { detectSchema } from '../../../schemas/detect.js';
import { DEFAULT_CAPACITY } from '../../commit/committer.js';
import { EGRESS_DEFAULTS } from '../../detect/egress.js';
import { NOVELTY_DEFAULTS } from '../../detect/novelty.js';
import { SCAN_DEFAULTS } from '../../detect/scan.js';
import { detectSettings } from '../../detect/settings.js';
import { DEFAULT_KAFKA_CONCURRENCY } from '../../pipeline/kafka-ingest.js';
import { DEFAULT_CONCURRENCY as DEFAULT_S3_CONCURRENCY } from '../../sources/s3/s3-source.js';
import { setLogSink } from '../../telemetry/log.js';
import { parseConfig } from '../load-config.js';
import { explainConfig, resolveConfig } from '../resolve.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-resolve-'));
let n = 0;
function file(text: string): string {
  const f = join(dir, `c${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
function capture(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const got: string[] = [];
  const prev = setLogSink((l) => { got.push(l); });
  return { lines: () => got.map((l) => JSON.parse(l) as Record<string, unknown>), restore: () => { setLogSink(prev); } };
}
let cap: ReturnType<typeof capture> | null = null;
afterEach(() => { cap?.restore(); cap = null; });

/** A machine with memory to spare: an unset memory.profile is the small one whatever this one has (memory-limit.test.ts). */
const ROOMY = { bytes: 64 * 2 ** 30, from: 'test' };

describe('resolveConfig: flag > env > file > default', () => {
  it('takes each setting from the first that gives it', () => {
    const f = file('batch: { rows: 5000 }\n');
    expect(resolveConfig({ memoryLimit: ROOMY }).batch.rows).toBe(MEMORY_PROFILES.small.batch_rows);
    expect(resolveConfig({ file: f }).batch.rows).toBe(5000);
    expect(resolveConfig({ file: f, env: { FLOWLOG_BATCH_ROWS: '6000' } }).batch.rows).toBe(6000);
    expect(resolveConfig({ file: f, env: { FLOWLOG_BATCH_ROWS: '6000' }, flags: { 'batch-rows': '7000' } }).batch.rows).toBe(7000);
    expect(resolveConfig({ file: f, env: { FLOWLOG_BATCH_ROWS: '' } }).batch.rows).toBe(5000);
  });

  it('sizes the batch by the memory profile unless batch.rows is set anywhere', () => {
    expect(MEMORY_PROFILES.minimal.batch_rows).toBeLessThan(MEMORY_PROFILES.small.batch_rows);
    expect(MEMORY_PROFILES.small.batch_rows).toBeLessThan(MEMORY_PROFILES.large.batch_rows);
    const minimal = file('memory: { profile: minimal }\n');
    expect(resolveConfig({ file: minimal }).batch.rows).toBe(MEMORY_PROFILES.minimal.batch_rows);
    expect(resolveConfig({ env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } }).memory.profile).toBe('minimal');
    expect(resolveConfig({ env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } }).batch.rows).toBe(MEMORY_PROFILES.minimal.batch_rows);
    expect(resolveConfig({ file: file('memory: { profile: large }\n') }).batch.rows).toBe(MEMORY_PROFILES.large.batch_rows);
    expect(resolveConfig({ file: file('memory: { profile: minimal }\nbatch: { rows: 5000 }\n') }).batch.rows).toBe(5000);
    expect(resolveConfig({ file: minimal, env: { FLOWLOG_BATCH_ROWS: '6000' } }).batch.rows).toBe(6000);
    expect(resolveConfig({ file: file('memory: { profile: minimal }\nbatch_rows: 7000\n') }).batch.rows).toBe(7000);
    expect(() => resolveConfig({ env: { FLOWLOG_MEMORY_PROFILE: 'tiny' } })).toThrow(/memory\.profile/);
  });

  it("sizes each Kafka source's fetch by the memory profile unless the source sets fetch.max_bytes", () => {
    const kafka = (fetch = '') => `sources:\n  - { kind: kafka, name: k, brokers: [b:9092], topics: [t], group_id: g${fetch} }\n  - { kind: local, name: l, path: /tmp }\n`;
    const maxBytes = (r: ReturnType<typeof resolveConfig>) => { const k = r.sources[0]!; return k.kind === 'kafka' ? k.fetch.max_bytes : null; };
    expect(maxBytes(resolveConfig({ file: file(kafka()), memoryLimit: ROOMY }))).toBe(16 << 20);
    expect(maxBytes(resolveConfig({ file: file(kafka()), env: { FLOWLOG_MEMORY_PROFILE: 'large' } }))).toBe(64 << 20);
    // a server store has no engine in the process: no profile is applied, the larger batch and fetch stay
    const onServer = resolveConfig({ file: file(`store: { kind: clickhouse, url: "http://ch:8123" }\n${kafka()}`) });
    expect([maxBytes(onServer), onServer.batch.rows]).toEqual([64 << 20, DEFAULT_BATCH_ROWS]);
    expect(DEFAULT_BATCH_ROWS).toBeGreaterThan(MEMORY_PROFILES.small.batch_rows);
    expect(maxBytes(resolveConfig({ file: file(kafka()), env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } }))).toBe(MEMORY_PROFILES.minimal.kafka_fetch_max_bytes);
    expect(MEMORY_PROFILES.minimal.kafka_fetch_max_bytes).toBeLessThan(MEMORY_PROFILES.large.kafka_fetch_max_bytes);
    const own = resolveConfig({ file: file(kafka(', fetch: { max_bytes: 1000000, min_bytes: 5 }')), env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } });
    expect(maxBytes(own)).toBe(1_000_000);
    const kept = resolveConfig({ file: file(kafka(', fetch: { min_bytes: 5 }')), env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } }).sources[0]!;
    expect(kept.kind === 'kafka' && [kept.fetch.min_bytes, kept.fetch.max_bytes]).toEqual([5, MEMORY_PROFILES.minimal.kafka_fetch_max_bytes]);
    expect(() => resolveConfig({ file: file(kafka(', fetch: 3')), env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } })).toThrow(/fetch/);
  });

  it("sizes each S3 source's GETs in flight by the memory profile unless the source sets concurrency", () => {
    const s3 = (more = '') => `sources:\n  - { kind: s3, name: s, uri: "s3://b/AWSLogs/"${more} }\n`;
    const gets = (r: ReturnType<typeof resolveConfig>) => { const s = r.sources[0]!; return s.kind === 's3' ? s.concurrency : null; };
    expect(gets(resolveConfig({ file: file(s3()), memoryLimit: ROOMY }))).toBe(DEFAULT_S3_CONCURRENCY);
    expect(MEMORY_PROFILES.small.s3_gets).toBe(DEFAULT_S3_CONCURRENCY);
    expect(gets(resolveConfig({ file: file(s3()), env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } }))).toBe(MEMORY_PROFILES.minimal.s3_gets);
    expect(MEMORY_PROFILES.minimal.s3_gets).toBeLessThan(DEFAULT_S3_CONCURRENCY);
    expect(gets(resolveConfig({ file: file(s3(', concurrency: 200')), env: { FLOWLOG_MEMORY_PROFILE: 'minimal' } }))).toBe(200);
  });

  it('takes the role of flowlog run from --role, FLOWLOG_ROLE or the file, default all, and names a wrong one', () => {
    expect(resolveConfig({}).role).toBe('all');
    const f = file('role: ingest\n');
    expect(resolveConfig({ file: f }).role).toBe('ingest');
    expect(resolveConfig({ file: f, env: { FLOWLOG_ROLE: 'detect' } }).role).toBe('detect');
    expect(resolveConfig({ file: f, env: { FLOWLOG_ROLE: 'detect' }, flags: { role: 'all' } }).role).toBe('all');
    expect(() => resolveConfig({ flags: { role: 'reports' } })).toThrow(/role.*set by flag --role/);
  });

  it('reads the file FLOWLOG_CONFIG names when none is given', () => {
    const f = file('log: { level: warn }\n');
    expect(resolveConfig({ env: { FLOWLOG_CONFIG: f } }).log.level).toBe('warn');
  });

  it('moves the embedded store with FLOWLOG_DATA_DIR, and leaves a ClickHouse server alone', () => {
    expect(resolveConfig({ env: { FLOWLOG_DATA_DIR: '/data' } }).store).toMatchObject({ kind: 'embedded', data_dir: '/data' });
    const server = file('store: { kind: clickhouse, url: "http://ch:8123" }\n');
    expect(resolveConfig({ file: server, env: { FLOWLOG_DATA_DIR: '/data' } }).store).toMatchObject({ kind: 'clickhouse', url: 'http://ch:8123' });
  });

  it('turns the store into a server with CLICKHOUSE_URL, keeping the password a reference', () => {
    const s = resolveConfig({ file: file('store: { kind: embedded, data_dir: /x }\n'), env: { CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'hunter2', CLICKHOUSE_CA_FILE: '/ca.pem', FLOWLOG_RETENTION_DAYS: '30' } }).store;
    expect(s).toEqual({ kind: 'clickhouse', url: 'https://ch:8443', user: 'u', password: { env: 'CLICKHOUSE_PASSWORD' }, tls: { ca_file: '/ca.pem' }, retry: { base: '200ms', max: '5s' }, retention_days: 30 });
    expect(resolveConfig({ env: { CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_PASSWORD: 'x', CLICKHOUSE_PASSWORD_FILE: '/run/secrets/ch' } }).store)
      .toMatchObject({ password: { file: '/run/secrets/ch' } });
  });

  it('names the variable that set a bad value, and the fix', () => {
    expect(() => resolveConfig({ env: { FLOWLOG_BATCH_ROWS: 'lots' } })).toThrow(/batch\.rows: got "lots".*set by environment variable FLOWLOG_BATCH_ROWS: fix or unset it/);
    expect(() => resolveConfig({ env: { FLOWLOG_BATCH_ROWS: '10' } })).toThrow(/batch\.rows: got 10.*FLOWLOG_BATCH_ROWS/);
    expect(() => resolveConfig({ flags: { 'log-level': 'loud' } })).toThrow(/log\.level: got "loud".*set by flag --log-level/);
  });

  it('logs each override of a file value once, without a secret\'s value', () => {
    cap = capture();
    // keys no other test here overrides: "once" is once per process
    const f = file('store: { kind: clickhouse, url: "http://ch:8123", password: { env: OLD } }\npolicy: { file: a.yaml }\n');
    const env = { CLICKHOUSE_PASSWORD: 'hunter2', FLOWLOG_POLICY: 'b.yaml', FLOWLOG_LOG_LEVEL: 'info' };
    const r = explainConfig({ file: f, env });
    explainConfig({ file: f, env });
    const overrides = cap.lines().filter((l) => l.event === 'config.override');
    expect(overrides.map((l) => [l.key, l.from])).toEqual([['store.password', 'env:CLICKHOUSE_PASSWORD'], ['policy.file', 'env:FLOWLOG_POLICY']]);
    expect(overrides[1]!.value).toBe('b.yaml');
    expect(JSON.stringify(overrides)).not.toContain('hunter2');
    // log.level came from the environment, but the file did not set it: an origin, not an override
    expect(r.origins['log.level']).toBe('env:FLOWLOG_LOG_LEVEL');
    expect(r.overridden['log.level']).toBeUndefined();
  });

  it('reads batch_rows as the deprecated spelling of batch.rows, with a warning', () => {
    cap = capture();
    expect(resolveConfig({ file: file('batch_rows: 5000\n') }).batch.rows).toBe(5000);
    expect(cap.lines().find((l) => l.event === 'config.deprecated')).toMatchObject({ key: 'batch_rows', use: 'batch.rows' });
    expect(() => resolveConfig({ file: file('batch_rows: 5000\nbatch: { rows: 6000 }\n') })).toThrow(/both batch_rows and batch\.rows/);
  });

  it('refuses a webhook URL written in the file, saying to use { env: NAME }', () => {
    const f = file('reports:\n  - cron: "0 7 * * *"\n    deliver: [{ webhook: { url: "https://hooks.slack.com/services/T/B/secret-token" } }]\n');
    let msg = '';
    try { resolveConfig({ file: f }); } catch (e) { msg = (e as Error).message; }
    expect(msg).toContain('reports[0].deliver[0].webhook.url');
    expect(msg).toContain('write url: { env: NAME }');
  });
});

describe('schema defaults are the code\'s defaults', () => {
  it('batch.rows and the detector parameters', () => {
    expect(DEFAULT_BATCH_ROWS).toBe(DEFAULT_CAPACITY);
    const s = detectSettings(detectSchema.parse({}));
    expect(s.egress).toEqual(EGRESS_DEFAULTS);
    expect(s.novelty).toEqual({ windowMinutes: NOVELTY_DEFAULTS.windowMinutes, historyDays: NOVELTY_DEFAULTS.historyDays, minHistoryHours: NOVELTY_DEFAULTS.minHistoryHours, newDestMinBytes: NOVELTY_DEFAULTS.newDestMinBytes, newPortMinFlows: NOVELTY_DEFAULTS.newPortMinFlows });
    expect(s.scan).toEqual({ windowMinutes: SCAN_DEFAULTS.windowMinutes, minPorts: SCAN_DEFAULTS.minPorts, minHosts: SCAN_DEFAULTS.minHosts, minDeniedShare: SCAN_DEFAULTS.minDeniedShare });
    expect(s.resolveAfterMs).toBe(2 * 3_600_000); // recordRun's default grace
  });

  it('every detector parameter is in the configuration reference with a description', () => {
    const missing: string[] = [];
    const walk = (schema: z.ZodTypeAny, path: string): void => {
      let t = schema;
      while (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodEffects) t = t instanceof z.ZodEffects ? t.innerType() : t._def.innerType;
      if (path && !schema.description && !t.description) missing.push(path);
      if (t instanceof z.ZodObject) for (const [k, v] of Object.entries(t.shape as Record<string, z.ZodTypeAny>)) walk(v, path ? `${path}.${k}` : k);
      if (t instanceof z.ZodArray) walk(t.element, `${path}[]`);
    };
    walk(detectSchema, '');
    // a list's items are described by the list
    expect(missing.filter((p) => !p.endsWith('[]'))).toEqual([]);
  });
});

describe('source defaults: the schema and the code that runs without a configuration agree', () => {
  it('Kafka and S3 concurrency', () => {
    const c = parseConfig("sources:\n  - { kind: kafka, name: k, brokers: ['b:9092'], topics: [t] }\n  - { kind: s3, name: s, uri: 's3://b/p' }\n");
    expect(c.sources.map((s) => ('concurrency' in s ? s.concurrency : null))).toEqual([DEFAULT_KAFKA_CONCURRENCY, DEFAULT_S3_CONCURRENCY]);
  });
});
