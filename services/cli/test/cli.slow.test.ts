/** The `flowlog` command as a user runs it: a child process, its streams and exit code. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flowRecordSchema } from '../../../schemas/flow.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../parse/aws/test/golden/', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const lastLine = (s: string) => s.trimEnd().split('\n').pop();

describe('flowlog CLI', () => {
  it('parse prints NDJSON and ends stderr with the counts', () => {
    const r = run(['parse', join(GOLDEN, 'v5-custom-multimember.log.gz')]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) flowRecordSchema.parse(JSON.parse(l));
    expect(lastLine(r.stderr)).toBe('parsed 3, rejected 0');
  });

  it('parse explains each reject and still exits 0', () => {
    const r = run(['parse', join(GOLDEN, 'junk.log')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('BAD_ADDR: srcaddr "10.0.0.999"');
    expect(lastLine(r.stderr)).toBe('parsed 1, rejected 9');
  });

  it('parse honours --log-format and says what is wrong with a bad one', () => {
    const fmt = '${account-id} ${version} ${interface-id} ${dstaddr} ${srcaddr} ${dstport} ${srcport} ${protocol} ${bytes} ${packets} ${end} ${start} ${log-status} ${action}';
    const ok = run(['parse', join(GOLDEN, 'same-count-custom.log'), '--log-format', fmt]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ src_addr: '10.0.1.10', dst_port: 5432, bytes: 88123 });
    const bad = run(['parse', join(GOLDEN, 'same-count-custom.log'), '--log-format', '${src addr}']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/LOG_FORMAT_INVALID[\s\S]*hint:/);
  });

  it('unreadable files and unknown commands fail with advice', () => {
    expect(run(['parse', '/no/such/file']).stderr).toContain('SOURCE_NOT_FOUND');
    const u = run(['frobnicate']);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('usage: flowlog <command>');
  });

  it('ingest then sql in every format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-cli-'));
    try {
      const env = { FLOWLOG_DATA_DIR: dir };
      // the summary line --quiet used to print is the --format json object now (--quiet prints nothing but errors)
      const ing = run(['ingest', GOLDEN, '--quiet', '--format', 'json'], env);
      expect(ing.status, ing.stderr).toBe(0);
      expect(JSON.parse(ing.stdout)).toMatchObject({ ingested: expect.any(Number), rejected: expect.any(Number), skipped: 0 });
      const q = 'SELECT log_type, count() AS n FROM flows GROUP BY log_type ORDER BY log_type';
      expect(run(['sql', q, '--format', 'csv'], env).stdout).toMatch(/^"log_type","n"\n"tgw",2\n"vpc",\d+\n$/);
      const json = run(['sql', q, '--format', 'json'], env).stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(json[0]).toEqual({ log_type: 'tgw', n: 2 });
      expect(run(['sql', q], env).stdout).toContain('log_type');
      const none = run(['sql', 'SELECT 1 AS x WHERE 0'], env);
      expect([none.status, none.stdout, none.stderr.trim()]).toEqual([0, '', '(no rows)']);
      expect(run(['sql', 'SELECT 1 AS x WHERE 0', '--format', 'json'], env).stderr).not.toContain('no rows'); // one object per line: none is none
      const ro = run(['sql', 'DROP TABLE flows'], env);
      expect(ro.status).toBe(1);
      expect(ro.stderr).toMatch(/read-only[\s\S]*--write/);
      expect(run(['sql', 'SELECT count() AS n FROM flows', '--format', 'csv'], env).stdout).not.toBe('"n"\n0\n'); // DROP did not happen
      const bound = run(['sql', 'SELECT count() AS n FROM flows WHERE dst_port = {p:UInt16}', '--param', 'p=5432', '--format', 'csv'], env);
      const literal = run(['sql', 'SELECT count() AS n FROM flows WHERE dst_port = 5432', '--format', 'csv'], env).stdout;
      expect(literal).not.toBe('"n"\n0\n');
      expect(bound.stdout).toBe(literal);
      const injected = run(['sql', 'SELECT count() AS n FROM flows WHERE source = {s:String}', '--param', "s=x' OR 1=1 --", '--format', 'csv'], env);
      expect(injected.stdout).toBe('"n"\n0\n');
      const bad = run(['sql', 'SELECT nope FROM flows'], env);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('STORE_QUERY_FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
