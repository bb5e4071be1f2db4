/**
 * The multi-instance harness itself: instances get their own ports and logs,
 * answer /healthz, stop with SIGTERM (exit 0, drained), die with SIGKILL,
 * restart under the same name and port with a fresh log, and a process that
 * cannot start fails ready() with its log instead of hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Instances } from './run-instances.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-instances-'));
const fleet = new Instances({ dir });
afterEach((ctx) => fleet.dumpOnFailure(ctx));
afterAll(async () => { await fleet.killAll(); rmSync(dir, { recursive: true, force: true }); });

// a Kafka source whose broker never answers: a long-lived process that needs no server
const yaml = (group: string) => ['sources:', '  - kind: kafka', '    name: nowhere', '    brokers: [127.0.0.1:1]', '    topics: [t]', `    group_id: ${group}`].join('\n');

describe('run-instances harness', () => {
  it('starts two instances on their own ports, stops one with SIGTERM, kills and restarts the other', { timeout: 120_000 }, async () => {
    const a = await fleet.start('a', yaml('ga'));
    const b = await fleet.start('b', yaml('gb'));
    expect(a.port).not.toBe(b.port);
    expect(a.dataDir).not.toBe(b.dataDir);
    for (const i of [a, b]) {
      // the broker never answers, so the source is not up: /healthz answers, with the source in it
      await expect.poll(async () => (await i.healthz())?.body.sources, { timeout: 60_000, interval: 200 }).toHaveProperty('nowhere');
    }
    expect(await a.metrics()).toContain('flowlog_source_up');
    expect(await a.stop()).toBe(0);
    expect(a.running).toBe(false);
    expect(a.events('shutdown.done')).toHaveLength(1);
    await b.kill();
    expect(b.running).toBe(false);
    expect(b.child.signalCode).toBe('SIGKILL');
    const b2 = await fleet.restart('b');
    expect(b2.port).toBe(b.port);
    await expect.poll(async () => (await b2.healthz()) !== null, { timeout: 60_000, interval: 200 }).toBe(true);
    expect(fleet.logs('b')).toHaveLength(2);
    expect(fleet.report()).toContain('--- b #2');
    expect(await fleet.stopAll()).toEqual({ b: 0 });
  });

  it('ready() rejects with the log when the process exits before it is ready', { timeout: 60_000 }, async () => {
    const bad = await fleet.start('bad', 'sources: []\n');
    await expect(bad.ready()).rejects.toThrow(/exited .*before it was ready[\s\S]*sources/);
  });
});
