/**
 * Leases in the store: how one of several `flowlog run` instances sharing a
 * store does a job that must be done once. The one mechanism behind the
 * detector and report schedules (a claim per job and tick) and S3 polling (a
 * claim per prefix and term, renewed while its holder lives).
 *
 * A claim is an insert into `leases` whose insert_deduplication_token names
 * the lease and the term. The engine keeps the first insert under a token and
 * drops every later one, whatever its content, so a claim is a compare-and-set
 * the store already provides: everyone reads back the same single holder.
 * (A ClickHouse server, replicated or not, and the embedded engine alike.)
 *
 * A term lease (TermLease) cuts time into terms of `termMs` from the epoch. The
 * holder of term k claims term k+1 once half of k has passed, so it keeps the
 * lease term after term; the others claim a term only once it has begun, by
 * which time the holder's claim is in. A holder that dies stops renewing: the
 * next unclaimed term goes to whoever claims it first, within two terms. The
 * holder counts a term as held until `marginMs` before its end (clock skew
 * between instances within the margin cannot make two holders).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { FlowlogError } from '../core/errors.js';
import type { FlowStore } from '../store/store.js';

/** This process, as a holder: readable in the table (host, pid) and unique per start. */
export const processHolder = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * Claims `term` of lease `name` for `holder`; resolves to the holder the store
 * kept (this one when the claim won). Throws LEASE_UNAVAILABLE when the store
 * cannot say (then nobody may assume the lease).
 */
export async function claimLease(store: FlowStore, name: string, term: string, holder: string): Promise<string> {
  try {
    await store.insertJsonLines('leases', ['name', 'term', 'holder'], Buffer.from(JSON.stringify({ name, term, holder })), `lease:${name}:${term}`);
    const kept = await leaseHolder(store, name, term);
    // our insert is not visible (a read from a replica behind, an asynchronous insert): nobody can be
    // told it holds the lease, so this instance does not take it (at most once, never twice)
    if (kept === null) throw new FlowlogError('LEASE_UNAVAILABLE', `lease ${name} (term ${term}): the claim just written is not visible yet`,
      'on a cluster, leases must be written and read synchronously (insert_distributed_sync = 1, or the local table); tried again next tick or round');
    return kept;
  } catch (e) {
    if (e instanceof FlowlogError && e.code === 'LEASE_UNAVAILABLE') throw e;
    throw new FlowlogError('LEASE_UNAVAILABLE', `lease ${name} (term ${term}) cannot be claimed: ${(e as Error).message}`,
      'the store must answer for an instance to take a scheduled run or a poll; it is tried again on the next tick or round', { cause: e });
  }
}

/** Who holds `term` of lease `name`, or null when it is unclaimed. The earliest claim wins, should the dedup window ever have let two in. */
export async function leaseHolder(store: FlowStore, name: string, term: string): Promise<string | null> {
  const [r] = await store.queryRows<{ holder: string; n: string }>(
    'SELECT argMin(holder, claimed_at) AS holder, count() AS n FROM leases WHERE name = {name:String} AND term = {term:String}', { name, term });
  return r && Number(r.n) > 0 ? r.holder : null;
}

export interface TermLeaseOptions {
  termMs: number;
  holder: string;
  /** Before a term's end, a holder without the next term stops counting itself as holder; default min(termMs / 10, 2 s). */
  marginMs?: number;
  /** Each change of who this instance is: acquired (true) or lost / let go (false). */
  onChange?: (held: boolean, term: number) => void;
  now?: () => number;
}

/** A lease held term after term while its holder renews it (see the top of this file). */
export class TermLease {
  /** Known holders by term number (only the current and next terms matter). */
  private readonly holders = new Map<number, string>();
  private wasHeld = false;
  private readonly now: () => number;
  private readonly marginMs: number;

  constructor(private readonly store: FlowStore, readonly name: string, private readonly opts: TermLeaseOptions) {
    this.now = opts.now ?? Date.now;
    this.marginMs = opts.marginMs ?? Math.min(opts.termMs / 10, 2000);
  }

  get holder(): string { return this.opts.holder; }
  get termMs(): number { return this.opts.termMs; }

  /**
   * Brings what this instance knows up to date (claims the current term when
   * nobody has, the next one when it holds this one past its middle) and
   * says whether it holds the lease now. Throws LEASE_UNAVAILABLE when the
   * store cannot say (held() then turns false at the margin).
   */
  async refresh(): Promise<boolean> {
    const t = this.now(), k = Math.floor(t / this.opts.termMs);
    for (const old of this.holders.keys()) if (old < k) this.holders.delete(old);
    if (!this.holders.has(k)) this.holders.set(k, await claimLease(this.store, this.name, String(k), this.opts.holder));
    const mine = this.holders.get(k) === this.opts.holder;
    if (mine && t - k * this.opts.termMs >= this.opts.termMs / 2 && !this.holders.has(k + 1)) {
      this.holders.set(k + 1, await claimLease(this.store, this.name, String(k + 1), this.opts.holder));
    }
    return this.held();
  }

  /** Whether this instance holds the lease now, from what it knows (no store call). */
  held(): boolean {
    const t = this.now(), k = Math.floor(t / this.opts.termMs);
    const me = this.opts.holder;
    const now = this.holders.get(k) === me && (t < (k + 1) * this.opts.termMs - this.marginMs || this.holders.get(k + 1) === me);
    if (now !== this.wasHeld) { this.wasHeld = now; this.opts.onChange?.(now, k); }
    return now;
  }
}
