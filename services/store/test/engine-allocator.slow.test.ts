/**
 * The memory section reaches the engine's allocator: chdb is loaded only when
 * the first embedded store opens, with JE_MALLOC_CONF set from the section
 * (unless the environment already has one), and the engine's jemalloc does
 * read that variable (a conf it rejects stops the process).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./allocator-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'flowlog-alloc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
function open(memory: object, env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.JE_MALLOC_CONF;
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, join(root, `s${seq++}`), JSON.stringify(memory)],
    { env: { ...base, ...env }, encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, signal: r.signal, stderr: r.stderr, out: line ? JSON.parse(line) as { before: boolean; after: boolean; conf: string | null; left: string | null } : null };
}

describe('engine allocator settings', () => {
  it('loads chdb when the store opens, with the decay of the profile or the key', { timeout: 300_000 }, () => {
    expect(open({}).out).toEqual({ before: false, after: true, conf: 'dirty_decay_ms:50,muzzy_decay_ms:0', left: null });
    expect(open({ profile: 'minimal' }).out!.conf).toBe('dirty_decay_ms:50,muzzy_decay_ms:0');
    expect(open({ profile: 'large' }).out).toEqual({ before: false, after: true, conf: null, left: null });
    expect(open({ profile: 'large', engine_decay_ms: 2000 }).out!.conf).toBe('dirty_decay_ms:2000,muzzy_decay_ms:0');
  });

  it('keeps a JE_MALLOC_CONF from the environment, and the engine reads it', { timeout: 300_000 }, () => {
    // the operator's own stays set
    expect(open({}, { JE_MALLOC_CONF: 'dirty_decay_ms:500' }).out).toMatchObject({ conf: 'dirty_decay_ms:500', left: 'dirty_decay_ms:500' });
    // abort_conf: jemalloc aborts on an option it does not know, so only a process whose engine read the variable dies
    const bad = open({}, { JE_MALLOC_CONF: 'abort_conf:true,no_such_option:1' });
    expect(bad.out).toBeNull();
    expect(bad.signal ?? bad.status).not.toBe(0);
  });
});
