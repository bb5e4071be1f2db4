/** CLI conventions: `--help` on every command answers on stdout with exit 0; `--version` names the package's version. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandNames } from '../main.js';
import { NPM_INVOCATION } from '../summary.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const PKG = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: '/nonexistent/flowlog-help-test' } });

describe('flowlog --help and --version', () => {
  it('every command answers --help, -h and `flowlog help COMMAND` with its usage and flags, exit 0', () => {
    const failures: string[] = [];
    for (const name of commandNames()) {
      // -h and `help COMMAND` go through the same path: two commands are enough for them
      const forms = ['sql', 'generate'].includes(name) ? [[name, '--help'], [name, '-h'], ['help', name]] : [[name, '--help']];
      for (const args of forms) {
        const r = run(args);
        const ok = r.status === 0 && r.stdout.includes(`usage: flowlog ${name}`) && r.stdout.includes('--help') && r.stderr === '';
        if (!ok) failures.push(`flowlog ${args.join(' ')}: exit ${r.status}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr.slice(0, 200))}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('--help lists the flags the command parses', () => {
    const sql = run(['sql', '--help']).stdout;
    for (const flag of ['--format', '--param', '--saved', '--list-saved', '--write']) expect(sql).toContain(flag);
    expect(sql).toMatch(/--write +allow statements that change data or schema/); // each flag with what it does
    expect(run(['run', '--help']).stdout).toMatch(/-c, --config VALUE/);
    expect(run(['bench', '--help']).stdout).not.toContain('--ingest-child'); // bench's own child mode is not for users
  });

  it('--help after `--` is an argument, not a request for help', () => {
    const r = run(['parse', '--', '--help']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SOURCE_NOT_FOUND');
  });

  it('--version and -V print the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`flowlog ${PKG.version}\n`);
    }
  });

  it('the invocation the hints print keeps stdout to flowlog alone (npm\'s banner would break a --format json pipe)', () => {
    const [cmd, ...args] = NPM_INVOCATION.split(' ');
    const r = spawnSync(cmd!, [...args, '--version'], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`flowlog ${PKG.version}\n`);
  });

  it('help for an unknown command fails with the command list', () => {
    const r = run(['help', 'frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});
