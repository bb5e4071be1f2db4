/**
 * Roles and one scheduler among several: two `flowlog run --role detect`
 * instances on one server store (the chdb-backed ClickHouse endpoint) with
 * every-second detector and report schedules and a webhook that counts what it
 * receives. Every tick is claimed in the store, so each report goes out once:
 * the webhook's deliveries equal the report ticks claimed, both instances
 * contended for them, and an `--role ingest` instance beside them runs no
 * schedule at all.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { openServerFleet, type ServerFleet } from '../../../test/server-fleet.js';
import { Instances } from '../../../test/run-instances.js';
import { webhookServer } from '../../report/test/webhook-server.js';
import { ClickHouseServerStore } from '../../store/clickhouse-server-store.js';

let dir = '';
let server: ChdbHttpServer;
let store: ClickHouseServerStore;
let hook: Awaited<ReturnType<typeof webhookServer>>;
let fleet: Instances;

let ground: ServerFleet | undefined;
beforeAll(async () => {
  ground = await openServerFleet('flowlog-detect-instances-');
  ({ dir, server, store, fleet } = ground);
  hook = await webhookServer([]);
}, 60_000);
afterEach((ctx) => fleet.dumpOnFailure(ctx));
afterAll(async () => {
  await hook?.close();
  await ground?.close();
});

const yaml = (sources: string[] = []) => [
  'store:', '  kind: clickhouse', `  url: ${server.url}`,
  ...(sources.length ? ['sources:', ...sources] : []),
  'detect: { schedule: "* * * * * *", egress_schedule: "* * * * * *" }',
  'reports: [ { name: hook, cron: "* * * * * *", since: 1h, deliver: [ { webhook: { url: { env: HOOK_URL } } } ] } ]',
].join('\n');

/** The sum of a counter's samples whose labels contain `match`. */
const counter = (text: string, name: string, match: string) => text.split('\n')
  .filter((l) => l.startsWith(`${name}{`) && l.includes(match)).reduce((a, l) => a + Number(l.split(' ').pop()), 0);

describe('two detect instances on one store', () => {
  it('each report tick is delivered once, each detector tick run once; an ingest instance runs no schedule', { timeout: 120_000 }, async () => {
    const env = { HOOK_URL: hook.url('/services/T0/B0/secret') };
    const a = await fleet.start('a', yaml(), { args: ['--role', 'detect'], env });
    const b = await fleet.start('b', yaml(), { args: ['--role', 'detect'], env });
    // a source that never answers keeps the ingest instance running without a server
    const ingest = await fleet.start('ingest', yaml(['  - { kind: s3, name: nowhere, uri: s3://none/x, mode: poll, endpoint: "http://127.0.0.1:1", region: us-east-1 }']), { args: ['--role', 'ingest'], env });
    await Promise.all([a.ready(), b.ready()]);
    await expect.poll(async () => (await ingest.healthz())?.body.role, { timeout: 60_000, interval: 200 }).toBe('ingest');
    const health = (await a.healthz())!.body;
    expect(health.role).toBe('detect');
    expect(health).not.toHaveProperty('sources');
    expect(health).toHaveProperty('reports');
    // both running their schedules for a while
    await expect.poll(() => hook.received.length, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(6);
    const [ma, mb, mi] = await Promise.all([a.metrics(), b.metrics(), ingest.metrics()]);
    expect(await fleet.stopAll()).toEqual({ a: 0, b: 0, ingest: 0 });

    const ticks = await store.queryRows<{ name: string; terms: string; rows: string }>(
      "SELECT name, uniqExact(term) AS terms, count() AS rows FROM leases WHERE name LIKE 'schedule:%' GROUP BY name ORDER BY name");
    const byName = Object.fromEntries(ticks.map((t) => [t.name, { terms: Number(t.terms), rows: Number(t.rows) }]));
    // one row per tick: no second claim got in
    for (const t of Object.values(byName)) expect(t.rows).toBe(t.terms);
    // every report tick claimed was delivered once, by its one holder
    const delivered = [a, b].reduce((n, i) => n + i.events('report.delivered').length, 0);
    expect(hook.received.length).toBe(delivered);
    expect(delivered).toBe(byName['schedule:report:hook']!.terms);
    const detectRuns = [a, b].reduce((n, i) => n + i.events('detect.run').length, 0);
    // every detector job (frequent, hourly, segmentation's minute runs): one run per claimed tick
    const detectTicks = Object.entries(byName).filter(([n]) => n.startsWith('schedule:detect:')).reduce((n, [, t]) => n + t.terms, 0);
    expect(byName['schedule:detect:frequent']!.terms).toBeGreaterThan(0);
    expect(detectRuns).toBe(detectTicks);
    // both contended: each lost some claims to the other (else the test proves nothing)
    expect(counter(ma, 'flowlog_schedule_claims_total', 'result="lost"') + counter(mb, 'flowlog_schedule_claims_total', 'result="lost"')).toBeGreaterThan(0);
    expect(counter(ma, 'flowlog_schedule_claims_total', 'result="won"') + counter(mb, 'flowlog_schedule_claims_total', 'result="won"'))
      .toBe(Object.values(byName).reduce((n, t) => n + t.terms, 0));
    expect(ma).toContain('flowlog_role{role="detect"} 1');
    // the ingest instance: no claim, no run, no delivery
    expect(mi).toContain('flowlog_role{role="ingest"} 1');
    expect(counter(mi, 'flowlog_schedule_claims_total', 'job=')).toBe(0);
    expect(ingest.events('report.delivered')).toEqual([]);
    expect(ingest.events('detect.run')).toEqual([]);
  });

  it('run --check: a detect role needs schedules, not sources; ingest and all need sources', () => {
    const bin = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
    const check = (yaml: string, ...args: string[]) => {
      const f = join(dir, `check-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(f, yaml);
      const r = spawnSync(process.execPath, [bin, 'run', '--config', f, '--check', ...args], { encoding: 'utf8' });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const schedulesOnly = 'detect: {}\nreports: [ { name: daily, cron: "0 7 * * *", since: 1d, deliver: [ { dir: reports } ] } ]\n';
    expect(check(schedulesOnly, '--role', 'detect')).toEqual({ status: 0, out: expect.stringContaining('ok (role detect: detectors, 1 report)') });
    expect(check(`role: detect\n${schedulesOnly}`)).toMatchObject({ status: 0 });
    const nothing = check('log: { level: info }\n', '--role', 'detect');
    expect(nothing.status).toBe(1);
    expect(nothing.out).toMatch(/CONFIG_INVALID[\s\S]*neither detect: nor reports:/);
    const noSources = check(schedulesOnly, '--role', 'ingest');
    expect(noSources.status).toBe(1);
    expect(noSources.out).toMatch(/sources: missing[\s\S]*--role detect/);
  });
});
