/**
 * generate --out in a folder someone else could have written to: it never
 * deletes what it did not write (whatever a planted manifest lists) and never
 * writes through a symbolic link out of the folder.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { generate, MANIFEST } from '../index.js';

const root = mkdtempSync(join(tmpdir(), 'flowlog-gen-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const opts = (out: string) => ({ out, flows: 2000, seed: 3, start: new Date('2026-01-05T06:00:00Z'), hours: 1 });
let n = 0;
/** An output folder and, beside it, a folder of someone else's files. */
function place(): { out: string; outside: string; victim: string } {
  const base = join(root, `c${n++}`);
  const out = join(base, 'out'), outside = join(base, 'outside');
  mkdirSync(out, { recursive: true });
  mkdirSync(outside);
  const victim = join(outside, 'precious.log.gz');
  writeFileSync(victim, 'keep me');
  return { out, outside, victim };
}
const refused = async (p: Promise<unknown>): Promise<FlowlogError> => {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(FlowlogError);
  return e as FlowlogError;
};

describe('generate --out and links', () => {
  it('removes only regular files of its own layout that a previous manifest lists, inside the folder', async () => {
    const { out, outside, victim } = place();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'AWSLogs', 'old'), { recursive: true });
    writeFileSync(join(out, 'AWSLogs', 'old', 'stale.log.gz'), 'a previous run');
    symlinkSync(victim, join(out, 'AWSLogs', 'old', 'link.log.gz'));
    symlinkSync(outside, join(out, 'insights-logs-flowlogflowevent'));
    const listed = ['notes.txt', '../outside/precious.log.gz', victim, 'AWSLogs/old/link.log.gz', 'AWSLogs/old/stale.log.gz',
      'AWSLogs/../../outside/precious.log.gz', 'insights-logs-flowlogflowevent/x/PT1H.json'];
    writeFileSync(join(out, MANIFEST), JSON.stringify({ files: listed.map((path) => ({ path })) }));
    writeFileSync(join(outside, 'PT1H.json'), 'keep me too');
    // the planted link folder is in generate's way: refused, after the clean-up touched nothing outside
    await refused(generate(opts(out)));
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(readFileSync(join(outside, 'PT1H.json'), 'utf8')).toBe('keep me too');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(lstatSync(join(out, 'AWSLogs', 'old', 'link.log.gz')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(out, 'AWSLogs', 'old', 'stale.log.gz'))).toBe(false); // what a previous run wrote does go
    unlinkSync(join(out, 'insights-logs-flowlogflowevent'));
    const s = await generate(opts(out));
    expect(s.records).toBe(2000);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('refuses a manifest that is a symbolic link, and leaves its target as it was', async () => {
    const { out, victim } = place();
    symlinkSync(victim, join(out, MANIFEST));
    const e = await refused(generate(opts(out)));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`${join(out, MANIFEST)} is a symbolic link`);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('refuses a symbolic link where it writes a folder or a file, writing nothing through it', async () => {
    const { out, outside, victim } = place();
    symlinkSync(outside, join(out, 'AWSLogs'));
    const e = await refused(generate(opts(out)));
    expect(e.message).toContain(`${join(out, 'AWSLogs')} is a symbolic link`);
    expect(existsSync(join(outside, 'AWSLogs'))).toBe(false);
    unlinkSync(join(out, 'AWSLogs'));

    // a file it writes, replaced by a link after a first run (the manifest gone, so nothing is cleaned first)
    const first = await generate(opts(out));
    const target = join(out, first.files[0]!.path);
    unlinkSync(target);
    symlinkSync(victim, target);
    unlinkSync(join(out, MANIFEST));
    const e2 = await refused(generate(opts(out)));
    expect(e2.message).toContain(`${target} is a symbolic link`);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });
});
