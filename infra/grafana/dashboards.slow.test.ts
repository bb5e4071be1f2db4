/**
 * The provisioned Grafana dashboards: their JSON names the provisioned
 * datasources; every ClickHouse panel's SQL, expanded the way the plugin
 * expands it, runs on an enriched demo store with findings, violations and
 * quarantined records, and returns rows; every PromQL expression names only
 * metrics a real flowlog scrape exposes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generate } from '../../services/generate/index.js';
import { fillStore, SEED, type Filled } from '../../services/investigate/test/fixture.js';
import { ingestPath } from '../../services/pipeline/ingest.js';
import { ChdbStore } from '../../services/store/chdb-store.js';
import { standardMetrics } from '../../services/telemetry/metrics.js';
import { ALL, applyConditionalAll, applyMacros, applyVariables, expandClickHouseSql, macroArgs, type QueryContext } from './macros.js';
import { promqlMetricNames } from './promql-names.js';

const DIR = new URL('.', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(DIR, p), 'utf8');

interface Target { refId: string; datasource: { type: string; uid: string }; rawSql?: string; expr?: string; format?: number; queryType?: string }
interface Panel { id: number; type: string; title: string; datasource?: { type: string; uid: string }; targets?: Target[]; gridPos: { x: number; y: number; w: number; h: number } }
interface Variable { name: string; type: string; datasource: { type: string; uid: string }; query: string | { query: string }; includeAll: boolean; multi: boolean }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] } }

const traffic = JSON.parse(read('dashboards/flowlog-traffic.json')) as Dashboard;
const operations = JSON.parse(read('dashboards/flowlog-operations.json')) as Dashboard;
const datasources = (parse(read('provisioning/datasources/flowlog.yaml')) as { datasources: { uid: string; type: string }[] }).datasources;
const queryPanels = (d: Dashboard) => d.panels.filter((p) => p.type !== 'row');

describe('the plugin macros, as its README documents them', () => {
  const ctx: QueryContext = {
    from: new Date(1415792726123), to: new Date(1447328726456), intervalMs: 20_000,
    variables: { loc: { current: ['Berlin', "O'Hare"], options: ['Berlin', "O'Hare", 'Paris'] }, all: { current: ALL, options: ['a', 'b'] } },
  };

  it('expands the time macros to the documented output', () => {
    expect(applyMacros('WHERE $__timeFilter(time)', ctx)).toBe('WHERE time >= toDateTime(1415792726) AND time <= toDateTime(1447328726)');
    expect(applyMacros('$__timeFilter_ms(time)', ctx)).toBe('time >= fromUnixTimestamp64Milli(1415792726123) AND time <= fromUnixTimestamp64Milli(1447328726456)');
    expect(applyMacros('$__fromTime $__toTime $__fromTime_ms $__toTime_ms', ctx))
      .toBe('toDateTime(1415792726) toDateTime(1447328726) fromUnixTimestamp64Milli(1415792726123) fromUnixTimestamp64Milli(1447328726456)');
    expect(applyMacros('$__dateFilter(date)', ctx)).toBe("date >= toDate('2014-11-12') AND date <= toDate('2015-11-12')");
    expect(applyMacros('$__interval_s', ctx)).toBe('20');
    expect(applyMacros('$__timeInterval(column)', ctx)).toBe('toStartOfInterval(toDateTime(column), INTERVAL 20 second)');
    expect(applyMacros('$__timeInterval_ms(column)', ctx)).toBe('toStartOfInterval(toDateTime64(column, 3), INTERVAL 20000 millisecond)');
    // an interval under a second is a second, as the plugin clamps it
    expect(applyMacros('$__interval_s', { ...ctx, intervalMs: 200 })).toBe('1');
  });

  it('refuses what the plugin would refuse', () => {
    expect(() => applyMacros('$__timeFilter(a, b)', ctx)).toThrow(/takes 1 argument/);
    expect(() => applyMacros('$__timeFilter', ctx)).toThrow(/unknown macro \$__timeFilter/);
    expect(() => applyMacros('$__timeFilterz(a)', ctx)).toThrow(/unknown macro/);
    expect(() => expandClickHouseSql('SELECT $nope', ctx)).toThrow(/left unexpanded: \$nope/);
  });

  it('keeps a $__conditionalAll condition for a selection and makes it 1=1 for All', () => {
    const sql = 'WHERE $__conditionalAll(location IN (${loc:singlequote}), $loc) AND $__conditionalAll(x IN (${all:singlequote}), $all)';
    expect(applyConditionalAll(sql, ctx.variables)).toBe('WHERE location IN (${loc:singlequote}) AND 1=1');
    expect(expandClickHouseSql(sql, ctx)).toBe("WHERE location IN ('Berlin','O\\'Hare') AND 1=1");
    expect(applyConditionalAll('$__conditionalAll(a, $loc)', { loc: { current: [], options: ['x'] } })).toBe('1=1');
    expect(() => applyConditionalAll('$__conditionalAll(a, $missing)', ctx.variables)).toThrow(/does not define/);
  });

  it('expands variables the way Grafana does: All is every option, several values need a format', () => {
    expect(applyVariables('${all:singlequote} [[all:csv]] ${all:csv}', ctx.variables)).toBe("'a','b' a,b a,b");
    expect(applyVariables('$__timeFilter(t) $unknown', ctx.variables)).toBe('$__timeFilter(t) $unknown');
    expect(() => applyVariables('IN ($loc)', ctx.variables)).toThrow(/names no format/);
  });

  it('reads nested arguments, quotes included', () => {
    expect(macroArgs("f(a(b, c), 'd,)', e)", 1).args).toEqual(['a(b, c)', "'d,)'", 'e']);
  });
});

describe('dashboard JSON', () => {
  it('names the provisioned datasources in every panel, target and variable', () => {
    const byUid = new Map(datasources.map((d) => [d.uid, d.type]));
    expect(byUid.get('flowlog-clickhouse')).toBe('grafana-clickhouse-datasource');
    expect(byUid.get('flowlog-prometheus')).toBe('prometheus');
    for (const [d, type] of [[traffic, 'grafana-clickhouse-datasource'], [operations, 'prometheus']] as const) {
      expect(d.uid).toMatch(/^flowlog-[a-z]+$/);
      expect(d.title).toMatch(/^flowlog: /);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const panels = queryPanels(d);
      expect(panels.length).toBeGreaterThan(8);
      for (const p of panels) {
        expect(p.datasource, p.title).toEqual({ type, uid: [...byUid].find(([, t]) => t === type)![0] });
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets!) {
          expect(t.datasource, p.title).toEqual(p.datasource);
          expect(t.refId).toMatch(/^[A-Z]$/);
          expect(type === 'prometheus' ? t.expr : t.rawSql, p.title).toBeTruthy();
        }
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
      for (const v of d.templating.list) expect(v.datasource, v.name).toEqual(panels[0]!.datasource);
    }
    expect(new Set([traffic.uid, operations.uid]).size).toBe(2);
  });

  it('is provisioned from the folder the docs mount, with the environment the docs name', () => {
    const provider = (parse(read('provisioning/dashboards/flowlog.yaml')) as { providers: { type: string; options: { path: string } }[] }).providers;
    expect(provider).toHaveLength(1);
    expect(provider[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards/flowlog' } });
    const docs = readFileSync(join(DIR, '../../docs/dashboards.md'), 'utf8');
    expect(docs).toContain(`./infra/grafana/dashboards:${provider[0]!.options.path}:ro`);
    const env = [...read('provisioning/datasources/flowlog.yaml').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    expect(env.length).toBeGreaterThan(3);
    for (const name of env) expect(docs, name).toMatch(new RegExp(`${name}: `));
  });

  it('has a panel for each question of the issue', () => {
    const titles = queryPanels(traffic).map((p) => p.title);
    for (const t of [/by owner/, /by segment/, /Top talkers/, /Denied/, /Egress to the internet by owner/, /Segment matrix/, /Open findings/, /Policy violations/, /Quarantine by reason/]) {
      expect(titles.some((x) => t.test(x)), String(t)).toBe(true);
    }
  });

  it('draws time series from a time column named time, as the plugin expects', () => {
    for (const p of queryPanels(traffic).filter((x) => x.type === 'timeseries')) {
      expect(p.targets![0]!.format, p.title).toBe(0);
      expect(p.targets![0]!.rawSql, p.title).toMatch(/^SELECT \$__timeInterval\(\w+\) AS time,/);
    }
  });
});

describe('the traffic dashboard on a demo store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-grafana-'));
  let store: ChdbStore;
  let filled: Filled;
  const variables = traffic.templating.list;
  const sqlOf = (v: Variable) => (typeof v.query === 'string' ? v.query : v.query.query);

  beforeAll(async () => {
    store = new ChdbStore(join(dir, 'store'));
    await store.migrate();
    filled = await fillStore(store, join(dir, 'data'));
    // lines the parser quarantines, so the quarantine panels have rows
    await generate({ out: join(dir, 'junk'), flows: 200, seed: SEED + 1, start: filled.recentStart, hours: 1, junk: 12 });
    await ingestPath(store, join(dir, 'junk'));
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const context = (current: Record<string, typeof ALL | string[]>, options: Record<string, string[]>, from: Date, intervalMs: number): QueryContext => ({
    // to: Grafana's "now" a second after the fixture was stored (rejects are stamped when stored, after the
    // fixture's whole-minute now, and $__timeFilter cuts to whole seconds)
    from, to: new Date(Date.now() + 1000), intervalMs,
    variables: Object.fromEntries(variables.map((v) => [v.name, { current: current[v.name] ?? ALL, options: options[v.name] ?? [] }])),
  });

  async function options(ctx: QueryContext): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const v of variables) {
      const rows = await store.queryRows<Record<string, string>>(expandClickHouseSql(sqlOf(v), ctx));
      out[v.name] = rows.map((r) => Object.values(r)[0]!);
    }
    return out;
  }

  it('offers owners and segments in its variables', async () => {
    const opts = await options(context({}, {}, filled.historyStart, 3_600_000));
    expect(opts.owner!.length).toBeGreaterThan(1);
    expect(opts.segment!.length).toBeGreaterThan(1);
    expect(opts.owner).toContain(filled.targets.owner);
  });

  it('returns rows in every panel over the whole store with All selected', async () => {
    const ctx0 = context({}, {}, filled.historyStart, 3_600_000);
    const ctx = context({}, await options(ctx0), filled.historyStart, 3_600_000);
    const empty: string[] = [];
    for (const p of queryPanels(traffic)) {
      for (const t of p.targets!) {
        const sql = expandClickHouseSql(t.rawSql!, ctx);
        const rows = await store.queryRows(sql).catch((e: Error) => { throw new Error(`${p.title}: ${e.message}\n${sql}`); });
        if (rows.length === 0) empty.push(p.title);
      }
    }
    expect(empty).toEqual([]);
  });

  it('returns rows in the time series of the last two hours at a one-minute interval', async () => {
    const from = filled.recentStart;
    const ctx = context({}, await options(context({}, {}, from, 60_000)), from, 60_000);
    for (const p of queryPanels(traffic).filter((x) => x.type === 'timeseries')) {
      const rows = await store.queryRows<{ time: string }>(expandClickHouseSql(p.targets![0]!.rawSql!, ctx));
      expect(rows.length, p.title).toBeGreaterThan(0);
      for (const r of rows) expect(Date.parse(`${r.time}Z`.replace(' ', 'T')), p.title).toBeGreaterThanOrEqual(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
    }
  });

  it('narrows every panel to one selected owner and segment', async () => {
    const ctx0 = context({}, {}, filled.historyStart, 3_600_000);
    const opts = await options(ctx0);
    const owner = filled.targets.owner;
    const [seg] = await store.queryRows<{ s: string }>("SELECT src_segment AS s FROM flows WHERE src_owner = {o:String} AND src_segment IS NOT NULL GROUP BY s ORDER BY count() DESC LIMIT 1", { o: owner });
    const ctx = context({ owner: [owner], segment: [seg!.s] }, opts, filled.historyStart, 3_600_000);
    const byTitle = async (title: string) => store.queryRows<Record<string, string>>(expandClickHouseSql(queryPanels(traffic).find((p) => p.title === title)!.targets![0]!.rawSql!, ctx));
    // each runs with a selection; the owner panels keep only that owner
    for (const p of queryPanels(traffic)) await store.queryRows(expandClickHouseSql(p.targets![0]!.rawSql!, ctx));
    const owners = await byTitle('Traffic by owner');
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners.map((r) => r.owner))).toEqual(new Set([owner]));
    const segments = await byTitle('Traffic by segment');
    expect(new Set(segments.map((r) => r.segment))).toEqual(new Set([seg!.s]));
    const findings = await byTitle('Open findings');
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((r) => r.owner))).toEqual(new Set([owner]));
  });
});

describe('the operations dashboard', () => {
  // what a real scrape of `flowlog run`'s registry exposes: flowlog's catalogue and prom-client's process_/nodejs_ metrics
  const scrapeNames = async (): Promise<Set<string>> => {
    const text = await standardMetrics().registry.metrics();
    const names = new Set<string>(['up']);
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      names.add(name!);
      if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name! + s);
    }
    return names;
  };
  const exprs = (): string[] => [
    ...queryPanels(operations).flatMap((p) => p.targets!.map((t) => t.expr!)),
    ...operations.templating.list.map((v) => (typeof v.query === 'string' ? v.query : v.query.query).replace(/^label_values\(([^,)]+).*$/, '$1')),
  ];

  it('reads metric names out of PromQL', () => {
    expect(promqlMetricNames('histogram_quantile(0.95, sum by (le, source) (rate(flowlog_insert_seconds_bucket{job=~"a|b"}[5m])))')).toEqual(['flowlog_insert_seconds_bucket']);
    expect(promqlMetricNames('time() - max by (source) (x_seconds) > 1e3 and on(job) up offset 5m')).toEqual(['x_seconds', 'up']);
    expect(promqlMetricNames('sum without (instance) (a) / ignoring(reason) b{reason="c d"}')).toEqual(['a', 'b']);
  });

  it('names only metrics a flowlog scrape exposes', async () => {
    const known = await scrapeNames();
    expect(known.has('process_resident_memory_bytes')).toBe(true);
    const unknown = exprs().flatMap((e) => promqlMetricNames(e).filter((n) => !known.has(n)).map((n) => `${n} in ${e}`));
    expect(unknown).toEqual([]);
    // the check itself bites: a misspelt metric is caught
    expect(promqlMetricNames('rate(flowlog_flows_stored[5m])').filter((n) => !known.has(n))).toEqual(['flowlog_flows_stored']);
  });

  it('covers what an operator watches', () => {
    const used = new Set(exprs().flatMap(promqlMetricNames));
    for (const m of ['flowlog_flows_stored_total', 'flowlog_newest_flow_timestamp_seconds', 'flowlog_consumer_lag', 'flowlog_records_rejected_total',
      'flowlog_store_waiting', 'flowlog_source_up', 'flowlog_errors_total', 'flowlog_insert_seconds_bucket', 'process_resident_memory_bytes', 'up']) {
      expect(used.has(m), m).toBe(true);
    }
    expect(exprs().some((e) => /time\(\) - max by \(source\) \(flowlog_newest_flow_timestamp_seconds/.test(e))).toBe(true);
    expect(exprs().some((e) => /histogram_quantile\(0\.99, sum by \(le, source\) \(rate\(flowlog_insert_seconds_bucket/.test(e))).toBe(true);
  });
});
