/**
 * CLI conventions: `--format json` gives one JSON object on stdout for
 * ingest, detect, report, migrate and policy (people's text elsewhere or
 * nowhere); `--quiet` prints nothing but errors; `flowlog completion bash|zsh`
 * is generated from the command table and each command's flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpRequested } from '../args.js';
import { commandNames } from '../main.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../parse/aws/test/golden/', import.meta.url));
let dir = '';
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store'), CLICKHOUSE_URL: '', FLOWLOG_CONFIG: '', ...env }, timeout: 120_000 });
/** stdout is exactly one JSON object on one line. */
const oneObject = (out: string) => {
  const lines = out.split('\n');
  expect(lines, out).toHaveLength(2);
  expect(lines[1]).toBe('');
  const o = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(typeof o).toBe('object');
  return o;
};

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'flowlog-conventions-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--format json and --quiet', () => {
  it('migrate, ingest, detect, report and policy print one JSON object; ingest --quiet prints nothing', { timeout: 240_000 }, () => {
    const m = run(['migrate', '--format', 'json']);
    expect(m.status, m.stderr).toBe(0);
    const mo = oneObject(m.stdout);
    expect(mo).toMatchObject({ command: 'migrate', roles: false });
    expect((mo.applied as string[])[0]).toBe('0001_flows');
    expect(oneObject(run(['migrate', '--format', 'json']).stdout)).toMatchObject({ applied: [], current: mo.current });

    const quiet = run(['ingest', GOLDEN, '--quiet']);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('');

    const ing = run(['ingest', join(GOLDEN, 'v5-custom-multimember.log.gz'), '--format', 'json'], { FLOWLOG_DATA_DIR: join(dir, 'store2') });
    expect(ing.status, ing.stderr).toBe(0);
    expect(oneObject(ing.stdout)).toMatchObject({ command: 'ingest', objects: 1, ingested: 3, rejected: 0, skipped: 0, unfinished: 0,
      flows_from: '2024-11-24T00:00:00.000Z', flows_to: '2024-11-24T00:00:00.000Z' }); // the span of the flows' start times
    expect(ing.stderr).not.toMatch(/ingest \d+%|ingest done/); // no progress with json either

    const det = run(['detect', '--format', 'json', '--now', '2026-11-20T00:00:00Z']);
    expect(det.status, det.stderr).toBe(0);
    expect(oneObject(det.stdout)).toMatchObject({ command: 'detect', now: '2026-11-20T00:00:00.000Z', findings: expect.any(Number), recorded: expect.any(Object) });

    const rep = run(['report', '--out', join(dir, 'out'), '--since', '7d', '--until', '2000-01-08T00:00:00Z', '--format', 'json']);
    expect(rep.status, rep.stderr).toBe(0);
    expect(oneObject(rep.stdout)).toMatchObject({ command: 'report', findings: 0, data: 'none', alert: expect.stringMatching(/^NO DATA/), written: [expect.stringContaining('out')] });
    // in text, the missing data is a warning on stderr too
    const repText = run(['report', '--out', join(dir, 'out'), '--since', '7d', '--until', '2000-01-08T00:00:00Z']);
    expect(repText.stderr).toMatch(/^warning: NO DATA/m);

    writeFileSync(join(dir, 'policy.yaml'), 'mode: enforce\nsegments:\n  office: { cidrs: [203.0.113.0/24] }\ndefault: allow\nrules:\n  - { name: office-ssh, from: any, to: office, ports: [22], action: deny }\n');
    const pol = run(['policy', 'check', join(dir, 'policy.yaml'), '--format', 'json']);
    expect(pol.status, pol.stderr).toBe(0);
    expect(oneObject(pol.stdout)).toBeDefined();
  });

  it('demo --quiet prints nothing and still makes the store and the report', { timeout: 300_000 }, () => {
    const d = run(['demo', '--flows', '3000', '--quiet'], { FLOWLOG_DATA_DIR: join(dir, 'demo') });
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toBe('');
    expect(d.stderr).toBe('');
    const n = run(['sql', '--format', 'csv', 'SELECT count() > 0 AS ok FROM flows'], { FLOWLOG_DATA_DIR: join(dir, 'demo') });
    expect(n.stdout).toBe('"ok"\n1\n');
    // its 8 days of flows end at the start of this hour: none in the future, and the last hours hold flows
    const span = run(['sql', '--format', 'csv', "SELECT max(start_time) < toStartOfHour(now('UTC')) AS past, max(start_time) >= toStartOfHour(now('UTC')) - INTERVAL 2 HOUR AS recent FROM flows"],
      { FLOWLOG_DATA_DIR: join(dir, 'demo') });
    expect(span.stdout).toBe('"past","recent"\n1,1\n');
    // a later run (another day) reports on the days the data was made for, read from the span file
    const spanFile = join(dir, 'demo', 'demo-data', '_demo-span.json');
    const made = JSON.parse(readFileSync(spanFile, 'utf8')) as { start: string; hours: number };
    expect(made.start).toMatch(/T00:00:00\.000Z$/);
    expect(made.hours).toBeGreaterThanOrEqual(8 * 24);
    writeFileSync(spanFile, JSON.stringify({ start: '2020-03-01T00:00:00.000Z', hours: 8 * 24 + 5 }));
    expect(run(['demo', '--quiet'], { FLOWLOG_DATA_DIR: join(dir, 'demo') }).status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'demo', 'demo-report', 'latest', 'report.json'), 'utf8')) as { since: string; until: string };
    // the last 2 whole days of the span, up to the data's end
    expect([report.since, report.until]).toEqual(['2020-03-07T00:00:00.000Z', '2020-03-09T05:00:00.000Z']);
  });
});

describe('flowlog completion', () => {
  it('bash: completes commands and every flag of every command, and the script is valid bash', async () => {
    const r = run(['completion', 'bash']);
    expect(r.status, r.stderr).toBe(0);
    const script = join(dir, 'flowlog.bash');
    writeFileSync(script, r.stdout);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const complete = (...words: string[]) => spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _flowlog; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8', cwd: dir }).stdout.trim().split('\n');
    expect(complete('flowlog', 'inv')).toEqual(['investigate']);
    expect(complete('flowlog', 'ingest', '--q')).toEqual(['--quiet']);
    expect(complete('flowlog', 'completion', '')).toEqual(['bash', 'zsh']);
    for (const name of commandNames()) {
      expect(complete('flowlog', name.slice(0, -1))).toContain(name);
      const flags = complete('flowlog', name, '--');
      for (const f of await flagsOf(name)) expect(flags, `${name} --${f}`).toContain(`--${f}`);
    }
    expect(complete('flowlog', 'report', '--')).toContain('--format');
  }, 120_000);

  it('zsh: names every command and flag (zsh is not installed here: the script is checked as text)', async () => {
    const r = run(['completion', 'zsh']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('#compdef flowlog\n')).toBe(true);
    expect(r.stdout).toContain('compdef _flowlog flowlog');
    for (const name of commandNames()) {
      expect(r.stdout).toMatch(new RegExp(`^    '${name}:`, 'm'));
      const line = r.stdout.split('\n').find((l) => l.startsWith(`    ${name}) _arguments `))!;
      for (const f of await flagsOf(name)) expect(line, `${name} --${f}`).toContain(`'--${f}[`);
    }
    // quotes and brackets from help texts cannot break a spec
    for (const l of r.stdout.split('\n').filter((x) => x.includes('_arguments'))) expect((l.match(/'/g) ?? []).length % 2).toBe(0);
  }, 120_000);

  it('a missing or unknown shell is a usage error (exit 2)', () => {
    expect(run(['completion']).status).toBe(2);
    const r = run(['completion', 'fish']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error USAGE: completion needs a shell: bash or zsh, not "fish"');
  });
});

/** The flags a command's parseCli declares, asked for as `--help` does. */
async function flagsOf(name: string): Promise<string[]> {
  const { commandLoader } = await import('../main.js');
  try {
    await (await commandLoader(name)())(['--help']);
  } catch (e) {
    if (e instanceof HelpRequested) return e.flags.map((f) => f.name);
    throw e;
  }
  return [];
}

describe('the exit code table in docs/cli.md', () => {
  it('names real codes with the exit status they get, and links the full code table', async () => {
    const { readFileSync } = await import('node:fs');
    const { ERROR_CODES, exitCodeFor } = await import('../../core/errors.js');
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/cli.md', import.meta.url)), 'utf8');
    const section = doc.slice(doc.indexOf('## Exit codes'), doc.indexOf('Examples:'));
    const rows = new Map([...section.matchAll(/^\| ([012]) \| (.*)$/gm)].map((m) => [Number(m[1]), m[2]!]));
    expect([...rows.keys()]).toEqual([0, 1, 2]);
    expect(rows.get(1)).toContain('(operations-telemetry.md#error-codes)');
    for (const status of [1, 2]) {
      for (const m of rows.get(status)!.matchAll(/`([A-Z_]{4,})`/g)) {
        expect(Object.keys(ERROR_CODES), m[1]).toContain(m[1]);
        expect(exitCodeFor(m[1] as keyof typeof ERROR_CODES), m[1]).toBe(status);
      }
    }
    const usage = Object.keys(ERROR_CODES).filter((c) => exitCodeFor(c as keyof typeof ERROR_CODES) === 2);
    for (const c of usage) expect(rows.get(2)).toContain(`\`${c}\``);
  });
});
