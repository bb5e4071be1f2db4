/**
 * Leases in the store (run/lease.ts): a claim keeps its first holder whoever
 * claims after; a term lease is renewed by its holder ahead of the term's end,
 * is not taken while its holder renews it, and passes to another instance
 * within two terms of its holder going silent; the holder stops counting
 * itself holder a margin before a term it has not renewed ends. Time is a
 * fake clock: nothing here waits.
 */
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { claimLease, leaseHolder, TermLease } from '../lease.js';
import { scheduledTick } from '../schedules.js';
import type { FlowStore } from '../../store/store.js';
import { FlowlogError } from '../../core/errors.js';

describe('claimLease', () => {
  it('keeps the first holder of a term; other terms are separate', async () => {
    await withStore(async (store) => {
      expect(await leaseHolder(store, 'job', 't1')).toBeNull();
      expect(await claimLease(store, 'job', 't1', 'A')).toBe('A');
      expect(await claimLease(store, 'job', 't1', 'B')).toBe('A');
      expect(await claimLease(store, 'job', 't2', 'B')).toBe('B');
      expect(await claimLease(store, 'other', 't1', 'C')).toBe('C');
      expect(await store.queryRows('SELECT name, term, holder FROM leases ORDER BY name, term'))
        .toEqual([{ name: 'job', term: 't1', holder: 'A' }, { name: 'job', term: 't2', holder: 'B' }, { name: 'other', term: 't1', holder: 'C' }]);
    });
  });

  it('a store that cannot answer is LEASE_UNAVAILABLE: nobody assumes the lease', async () => {
    const broken = { insertJsonLines: () => Promise.reject(new Error('connection refused')) } as unknown as FlowStore;
    const e = await claimLease(broken, 'job', 't1', 'A').catch((x: unknown) => x);
    expect(FlowlogError.is(e, 'LEASE_UNAVAILABLE')).toBe(true);
  });

  it('a claim the store does not show back is LEASE_UNAVAILABLE, never taken as won', async () => {
    // an insert that lands where the read does not see it yet (an asynchronous insert on a cluster)
    const behind = { insertJsonLines: () => Promise.resolve(), queryRows: () => Promise.resolve([{ holder: '', n: '0' }]) } as unknown as FlowStore;
    const e = await claimLease(behind, 'job', 't1', 'A').catch((x: unknown) => x);
    expect(FlowlogError.is(e, 'LEASE_UNAVAILABLE')).toBe(true);
  });
});

describe('TermLease', () => {
  it('renewed by its holder, taken over within two terms once the holder is silent', async () => {
    await withStore(async (store) => {
      const T = 10_000;
      let now = 100 * T; // term 100
      const changes: string[] = [];
      const a = new TermLease(store, 'poll', { termMs: T, holder: 'A', now: () => now, onChange: (h, k) => changes.push(`A ${h} ${k}`) });
      const b = new TermLease(store, 'poll', { termMs: T, holder: 'B', now: () => now });
      expect(await a.refresh()).toBe(true);
      expect(await b.refresh()).toBe(false);
      now += 0.6 * T; // past the middle: A claims term 101 ahead
      expect(await a.refresh()).toBe(true);
      expect(await leaseHolder(store, 'poll', '101')).toBe('A');
      now += 0.5 * T; // term 101: B claims nothing A has not claimed already
      expect(await b.refresh()).toBe(false);
      expect(await a.refresh()).toBe(true);
      now += 0.45 * T; // A renews 102, then goes silent (dies)
      expect(await a.refresh()).toBe(true);
      now = 102 * T + 100; // term 102 is still A's: B waits
      expect(await b.refresh()).toBe(false);
      now = 103 * T + 100; // unclaimed term 103: B takes it
      expect(await b.refresh()).toBe(true);
      expect(a.held()).toBe(false);
      expect(changes).toEqual(['A true 100', 'A false 103']);
    });
  });

  it('a holder that could not renew stops counting itself holder a margin before the term ends', async () => {
    await withStore(async (store) => {
      const T = 10_000;
      let now = 50 * T;
      const a = new TermLease(store, 'poll', { termMs: T, holder: 'A', marginMs: 1000, now: () => now });
      expect(await a.refresh()).toBe(true);
      now = 51 * T - 1500;
      expect(a.held()).toBe(true); // no refresh: the next term is not claimed
      now = 51 * T - 500;
      expect(a.held()).toBe(false); // within the margin: another instance's clock may already be in term 51
    });
  });
});

describe('scheduledTick', () => {
  it('is the scheduled time of the run, the same whatever the callback delay', () => {
    const c = new Cron('*/5 * * * * *', { timezone: 'UTC', paused: true });
    try {
      for (const at of ['2026-01-01T12:00:05.002Z', '2026-01-01T12:00:05.900Z']) expect(scheduledTick(c, new Date(at)).toISOString()).toBe('2026-01-01T12:00:05.000Z');
      const every = new Cron('* * * * * *', { timezone: 'UTC', paused: true });
      expect(scheduledTick(every, new Date('2026-01-01T12:00:07.010Z')).toISOString()).toBe('2026-01-01T12:00:07.000Z');
      every.stop();
    } finally { c.stop(); }
  });
});
