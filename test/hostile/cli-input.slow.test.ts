/**
 * Every command-line input a person can get wrong (durations, times, CIDRs,
 * addresses, ports, numbers, file paths) ends in `error USAGE` naming the
 * flag, with a hint and exit status 2: never a stack trace, an absurd
 * duration included (99999999999999999999d once ended in a RangeError).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duration, durationMs, MAX_DURATION_MS, parseDuration } from '../../schemas/common.js';
import { readTime, TIME_RANGE } from '../../services/investigate/time-window.js';
import { REPO_ROOT } from '../paths.js';

const BIN = join(REPO_ROOT, 'bin/flowlog.js');
const HUGE = '99999999999999999999d';

// made at collection: the cases name files in it
const dir = mkdtempSync(join(tmpdir(), 'flowlog-hostile-cli-'));
beforeAll(() => {
  writeFileSync(join(dir, 'policy.yaml'), 'segments: []\n');
  writeFileSync(join(dir, 'flows.log'), 'version account-id\n');
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const p = (name: string) => join(dir, name);
const MISSING = '/nonexistent/flowlog-hostile/file.yaml';

/** [command line, what the message must name] */
const CASES: [string[], RegExp][] = [
  [['investigate', '10.0.0.1', '--since', HUGE], /--since "99999999999999999999d" is out of range/],
  [['investigate', '10.0.0.1', '--until', HUGE], /--until "99999999999999999999d" is out of range/],
  [['investigate', '10.0.0.1', '--since', '3000-01-01T00:00:00Z', '--until', '3000-01-02'], /--until "3000-01-02" is out of range/],
  [['investigate', '10.0.0.1', '--since', '1e400s'], /--since "1e400s" is not a time/],
  [['investigate', '10.0.0.1', '--top', '0'], /--top "0"/],
  [['investigate', '10.0.0.0/99'], /not a CIDR/],
  [['investigate', '999.1.1.1'], /not a valid one/],
  [['sql', '--saved', 'top-talkers', '--param', `since=${HUGE}`], /--param since=99999999999999999999d: out of range/],
  [['sql', '--saved', 'top-talkers', '--param', 'since=2400-01-01'], /--param since=2400-01-01: out of range/],
  [['sql', '--saved', 'top-talkers', '--param', 'limit=99999999999999999999999'], /--param limit=.*out of range/],
  [['report', '--out', p('r'), '--since', HUGE], /--since "99999999999999999999d" is not a duration/],
  [['report', '--out', p('r'), '--since', '36501d'], /--since "36501d" is not a duration/],
  [['report', '--out', p('r'), '--since', '36500d', '--until', '1950-01-01'], /starts before 1900/],
  [['report', '--out', p('r'), '--until', '99999-01-01'], /--until "99999-01-01" is not a time/],
  [['report', '--out', p('r'), '--since', '0h'], /--since "0h" is not a duration/],
  [['detect', '--now', '3000-01-01'], /--now "3000-01-01" is out of range/],
  [['detect', '--now', 'yesterday'], /--now "yesterday" is not a time/],
  [['detect', '--config', MISSING], /--config .* does not exist/],
  [['detect', '--config', dir], /--config .* is a folder/],
  [['ingest', 's3://bucket/prefix', '--from', '99999999999999'], /--from "99999999999999" is not a time/],
  [['ingest', 's3://bucket/prefix', '--to', '2300-01-01'], /--to "2300-01-01" is out of range/],
  [['ingest', p('flows.log'), '--enrich', MISSING], /--enrich .* does not exist/],
  [['ingest', p('flows.log'), '--policy', MISSING], /--policy .* does not exist/],
  [['ipam', 'lookup', '10.0.0.1', '--enrich', MISSING], /--enrich .* does not exist/],
  [['ipam', 'lookup', '10.0.0.300'], /"10.0.0.300" is not an IP address/],
  [['policy', 'test', p('policy.yaml'), '--src', '10.0.0.1', '--dst', 'x'], /--dst "x" is not an IP address/],
  [['policy', 'test', p('policy.yaml'), '--src', '10.0.0.1', '--dst', '10.0.0.2', '--port', '70000'], /--port "70000" is not a port/],
  [['policy', 'check', p('policy.yaml'), '--enrich', MISSING], /--enrich .* does not exist/],
  [['generate', '--out', p('g'), '--start', '1'], /--start must be an ISO date/],
  [['generate', '--out', p('g'), '--start', '3000-01-01'], /--start .*out of range/],
  [['generate', '--out', p('g'), '--flows=-1'], /--flows must be an integer/],
  [['generate', '--out', p('g'), '--hours', '1e9'], /--hours must be a number/],
  [['demo', '--flows', 'abc'], /--flows "abc" is not a whole number/],
  [['bench', '--lines', 'abc'], /--lines "abc" is not a whole number/],
  [['eval', '--flows', '1e99'], /--flows "1e99" is not a whole number/],
  [['run', '--config', MISSING], /--config .* does not exist/],
  [['config', 'print', '--config', MISSING], /--config .* does not exist/],
];

describe('command-line input', () => {
  it.each(CASES)('flowlog %j: USAGE, a hint, no stack trace', (args, names) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'data'), FLOWLOG_LOG_LEVEL: 'error' },
    });
    expect(r.stderr).toMatch(/^error USAGE: /m);
    expect(r.stderr).toMatch(names);
    expect(r.stderr).toMatch(/\n {2}hint: \S/);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.status).toBe(2);
  });
});

describe('durations and times', () => {
  it('bounds a duration at a century, in the config schema too', () => {
    expect(parseDuration('36500d')).toBe(MAX_DURATION_MS);
    expect(parseDuration('36501d')).toBeNull();
    expect(parseDuration(HUGE)).toBeNull();
    expect(duration.safeParse('36500d').success).toBe(true);
    expect(duration.safeParse(HUGE).success).toBe(false);
    expect(durationMs('90m')).toBe(5_400_000);
    expect(() => durationMs(HUGE)).toThrow(/at most 36500d/);
  });

  it('reads no time outside what the store holds', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(readTime(HUGE, now)).toEqual({ ok: false, why: expect.stringMatching(/^out of range/) });
    expect(readTime('1899-12-31T23:59:59Z', now).ok).toBe(false);
    expect(readTime('1900-01-01', now)).toEqual({ ok: true, date: new Date(TIME_RANGE.min) });
    expect(readTime('2299-12-31T23:59:59.999Z', now)).toEqual({ ok: true, date: new Date(TIME_RANGE.max) });
    expect(readTime('2026-13-45', now)).toEqual({ ok: false, why: 'not a time' });
  });
});
