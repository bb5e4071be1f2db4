/**
 * Terminal injection: values from flow logs (Azure rule, mac, resource id, the
 * object's name) and from the IPAM (owner, env, tags) that carry escape
 * sequences, newlines and bidi overrides go through the real pipeline (the CLI
 * on a temporary embedded store) and every terminal and Markdown rendering of
 * them must show them, not obey them, while the store keeps them exact.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCsvTable } from '../../services/cli/result-table.js';
import { safeLines, safeText, truncationMarker } from '../../services/core/safe-text.js';
import { parseCsv } from '../../services/enrich/inventory/csv.js';
import { mdCode, mdFence, mdText } from '../../services/report/markdown-text.js';
import { REPO_ROOT } from '../paths.js';

const BIN = join(REPO_ROOT, 'bin/flowlog.js');

/* eslint-disable no-control-regex -- these patterns find control characters on purpose */
/** What a terminal would obey: C0 but tab and newline, DEL, C1, bidi controls, line/paragraph separators. */
const OBEYED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** The same, tab and newline included: what a single value may never carry. */
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/* eslint-enable no-control-regex */

// sets the window title, clears the screen, breaks the line, turns the text around, and a C1 CSI
const TITLE = '\u001b]0;pwned\u0007\u001b[2J';
const OWNER = `team${TITLE}\nsecond line\u202Eevil\u2066x\u009b31m`;
const ENV = `prod\r\u200f\u0000`;
const TAG = `tag\u001b[31mred\u2028`;
const RULE = `UserRule_${TITLE}\u202E`;
const MAC = `00\u001b[5m0D3AF87856`;
const RESOURCE = `/SUBSCRIPTIONS/X/${TITLE}\n/NSG`;
const JUNK_NAME = `junk\u001b[2J.log`;

describe('safeText', () => {
  const unsafeChar = fc.oneof(
    fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069),
  ).map((c) => String.fromCharCode(c));
  const hostile = fc.array(fc.oneof(fc.string({ unit: 'binary' }), unsafeChar), { maxLength: 40 }).map((p) => p.join(''));

  it('never lets a control or bidi character through, and bounds the length', () => {
    fc.assert(fc.property(hostile, fc.integer({ min: 1, max: 200 }), (s, max) => {
      const out = safeText(s, max);
      expect(out).not.toMatch(ANY_CONTROL);
      // visible characters up to max, then at most the marker for what was cut
      expect(Array.from(out).length).toBeLessThanOrEqual(max + truncationMarker(Array.from(s).length).length);
    }), { numRuns: 500 });
  });

  it('leaves printable ASCII as it is', () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }), (s) => {
      expect(safeText(s, 300)).toBe(s);
    }));
  });

  it('shows each character it replaces, and says how much it cut', () => {
    expect(safeText(TITLE)).toBe('\\u001b]0;pwned\\u0007\\u001b[2J');
    expect(safeText('a\tb\nc\rd\u202Ee\u009b')).toBe('a\\tb\\nc\\rd\\u202ee\\u009b');
    expect(safeText('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…[+40 chars]`);
    // an escape is never cut in half
    expect(safeText('abcd\u001b', 6)).toBe('abcd…[+1 chars]');
    expect(safeLines(`one\u001b\ntwo\u202E`)).toBe('one\\u001b\ntwo\\u202e');
  });

  it('keeps Markdown text one line, with no control character or bidi override', () => {
    for (const md of [mdText(OWNER), mdCode(RESOURCE), mdText(RULE)]) {
      expect(md).not.toMatch(ANY_CONTROL);
    }
    expect(mdFence(`SELECT 1\n-- ${TITLE}`, 'sql')).not.toMatch(OBEYED);
    expect(mdText('- item')).toBe('\\- item');
    expect(mdText('1. item')).toBe('1\\. item');
  });

  it('draws a result table from CSV with every cell made safe', () => {
    const table = renderCsvTable(`"owner","n"\n"${OWNER}",1\n\\N,22\n`);
    expect(table).not.toMatch(OBEYED);
    const lines = table.trimEnd().split('\n');
    expect(lines).toHaveLength(4); // top, two rows, bottom: the newline in the value did not make a row
    expect(lines[1]).toContain('team\\u001b]0;pwned\\u0007\\u001b[2J\\nsecond line\\u202eevil\\u2066x\\u009b31m');
    expect(lines[2]).toMatch(/│ NULL +│ 22 │/);
    expect(renderCsvTable('"x"\n')).toBe('');
  });
});

describe('hostile values through the CLI', () => {
  let dir: string, data: string, logs: string, enrich: string;
  const env = () => ({ ...process.env, FLOWLOG_DATA_DIR: data, FLOWLOG_LOG_LEVEL: 'error' });
  const flowlog = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: env(), timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const outputs: Record<string, string> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowlog-hostile-terminal-'));
    data = join(dir, 'data');
    logs = join(dir, 'logs');
    mkdirSync(logs);
    // the IPAM: JSON is YAML, and JSON's \u escapes carry every control character
    writeFileSync(join(dir, 'ipam.yaml'), JSON.stringify({ prefixes: [{ cidr: '10.5.16.0/24', name: 'hostile', owner: OWNER, env: ENV, tags: { note: TAG } }] }));
    enrich = join(dir, 'enrich.yaml');
    writeFileSync(enrich, 'enrich:\n  files: [ipam.yaml]\n');
    const tuples = ['1542110402,10.5.16.4,8.8.8.8,28746,443,T,O,A,C,30,16978,24,14008', '1542110424,10.5.16.4,8.8.4.4,56509,53,U,O,D,B,,,,'];
    writeFileSync(join(logs, 'nsg.json'), JSON.stringify({ records: [{
      time: '2018-11-13T12:00:35.3899262Z', systemId: 'a0fca5ce-022c-47b1-9735-89943b42f2fa', category: 'NetworkSecurityGroupFlowEvent',
      resourceId: RESOURCE, operationName: 'NetworkSecurityGroupFlowEvents',
      properties: { Version: 2, flows: [{ rule: RULE, flows: [{ mac: MAC, flowTuples: tuples }] }] },
    }] }));
    writeFileSync(join(logs, JUNK_NAME), 'not a flow log\n');
    const ingest = flowlog('ingest', logs, '--enrich', enrich);
    expect(ingest.status, ingest.stderr).toBe(0);
    outputs.ingest = ingest.stdout + ingest.stderr;
    const window = ['--until', '2018-11-14', '--since', '2d'];
    outputs.investigate = flowlog('investigate', '10.5.16.4', ...window).stdout;
    const byOwner = flowlog('investigate', 'owner:team', ...window);
    outputs.investigateOwner = byOwner.stdout + byOwner.stderr;
    // an unknown word is a USAGE error listing the known owners: the error path is a terminal output too
    outputs.error = flowlog('investigate', 'nobody', ...window).stderr;
    outputs.lookup = flowlog('ipam', 'lookup', '10.5.16.4', '--enrich', enrich).stdout;
    outputs.check = flowlog('ipam', 'check', '--enrich', enrich).stdout;
    outputs.table = flowlog('sql', 'SELECT src_owner, src_env, rule, mac, resource_id FROM flows ORDER BY start_time').stdout;
    outputs.ipamTable = flowlog('sql', 'SELECT * FROM ipam_current').stdout;
    outputs.rejected = flowlog('sql', 'SELECT source, reason FROM flows_rejected').stdout;
    const report = flowlog('report', '--out', join(dir, 'report'), ...window);
    expect(report.status, report.stderr).toBe(0);
    outputs.markdown = readFileSync(join(dir, 'report', 'latest', 'report.md'), 'utf8');
  }, 600_000);

  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('stores every hostile value exactly (JSON output), and CSV quotes the ones with newlines', () => {
    const json = flowlog('sql', 'SELECT src_owner, src_env, rule, mac, resource_id FROM flows ORDER BY start_time', '--format', 'json');
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ src_owner: OWNER, src_env: ENV, rule: RULE, mac: MAC, resource_id: RESOURCE });
    const csv = flowlog('sql', 'SELECT src_owner, resource_id FROM flows LIMIT 1', '--format', 'csv').stdout;
    expect(parseCsv(csv).map((r) => r.fields)).toEqual([['src_owner', 'resource_id'], [OWNER, RESOURCE]]);
    const rejected = flowlog('sql', 'SELECT source FROM flows_rejected', '--format', 'json').stdout;
    expect((JSON.parse(rejected.trim().split('\n')[0]!) as { source: string }).source).toContain(JUNK_NAME);
  });

  it.each(['ingest', 'investigate', 'investigateOwner', 'error', 'lookup', 'check', 'table', 'ipamTable', 'rejected', 'markdown'])('%s output shows the values and obeys none of them', (name) => {
    const out = outputs[name]!;
    expect(out).not.toMatch(OBEYED);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
  });

  it('renders each value where a person looks for it, escaped', () => {
    const shown = (s: string) => safeText(s, 10_000);
    expect(outputs.investigate).toContain(shown(OWNER).slice(0, 40));
    expect(outputs.lookup).toContain(`owner=${shown(OWNER)}`);
    expect(outputs.investigateOwner).toContain(`known owners: ${shown(OWNER)}`);
    expect(outputs.error).toMatch(/^error USAGE: /);
    expect(outputs.error).toContain(`Known owners: ${shown(OWNER)}`);
    expect(outputs.ipamTable).toContain(shown('tag\u001b[31mred')); // the tags map, as the engine writes it
    expect(outputs.table).toContain(shown(RULE));
    expect(outputs.table).toContain(shown(MAC));
    expect(outputs.table).toContain(shown(RESOURCE));
    expect(outputs.rejected).toContain(shown(JUNK_NAME));
    expect(outputs.ingest).toContain(shown(OWNER).slice(0, 40)); // egress by owner
    expect(outputs.markdown).toContain('team\\\\u001b\\]0;pwned');
    // a table row stays one line: every row of the sql table starts and ends with its border
    for (const line of outputs.table!.trimEnd().split('\n')) expect(line).toMatch(/^[┌│└].*[┐│┘]$/);
  });
});
