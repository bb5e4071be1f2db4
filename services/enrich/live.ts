/**
 * The enrichment in use while ingest runs. A reload (changed files, a NetBox
 * pull, SIGHUP) builds the new lookup in a worker thread and swaps it in
 * between two batches: a batch is enriched by exactly one version, never by a
 * half-built one. A segmentation policy, when configured, is compiled with
 * each IPAM version and evaluated on the same batch right after enrichment;
 * its violations are stored with the batch. A new version that fails to load is rejected with its error
 * and the version in use stays. A NetBox pull that fails (NetBox down, a 5xx)
 * is tried again with backoff (core/backoff.ts) rather than only at the next
 * interval; a rejected file is tried again when it changes.
 */
import { Worker } from 'node:worker_threads';
import { retryDelayMs } from '../core/backoff.js';
import { FlowlogError } from '../core/errors.js';
import type { FlowBatch } from '../core/flow-batch.js';
import type { FlowStore } from '../store/store.js';
import { Enricher } from './enricher.js';
import { fileStamps, type EnrichSettings } from './load.js';
import type { IpamProblem } from './model.js';
import type { BuildResult } from './reload/build-job.js';
import { writeSnapshot } from './snapshot.js';
import { compileWithSegments, type CompiledPolicy } from './policy/compile.js';
import { evaluateBatch, toRows, ViolationBatch, type PolicyViolationRow } from './policy/evaluate.js';
import { parsePolicy } from './policy/load.js';

/** Violation rows as JSON lines for policy_violations (times in the engine's plain format). */
function violationLines(rows: PolicyViolationRow[]): Buffer {
  return Buffer.from(rows.map((r) => JSON.stringify({ ...r, time: r.time.replace('T', ' ').replace('Z', '') })).join('\n'));
}

export type ReloadOutcome =
  | { result: 'loaded'; version: string; entries: number; problems: IpamProblem[]; ms: number }
  | { result: 'unchanged'; version: string }
  | { result: 'rejected'; error: string };

export interface LiveOptions {
  /** Where the snapshot of each new version goes (ipam_prefixes, ipam_trie). */
  store?: FlowStore;
  /** Check the files for changes this often (0: only on reloadNow). */
  reloadIntervalMs?: number;
  /** Pull NetBox again this often. */
  netboxIntervalMs?: number;
  onReload?: (o: ReloadOutcome) => void;
}

function buildInWorker(settings: EnrichSettings): Promise<BuildResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./reload/worker-entry.js', import.meta.url), { workerData: settings });
    w.once('message', (m: BuildResult) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`the IPAM reload worker exited with code ${code}`)); });
  });
}

/** What one IPAM version gives the hot path: the enricher and, when configured, the policy compiled against it. */
interface Version { enricher: Enricher; policy: CompiledPolicy | null }

export class LiveEnricher {
  private current: Version | null = null;
  private readonly violations = new ViolationBatch(false);
  private pending: Buffer | null = null;
  private policyText: string | null = null;
  private stamps = '';
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<ReloadOutcome> | null = null;
  private queued: Promise<ReloadOutcome> | null = null;
  private rejections = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(private readonly settings: EnrichSettings, private readonly opts: LiveOptions) {}

  /** Loads the first version; a failure here is an error (there is no older version to keep). */
  static async start(settings: EnrichSettings, opts: LiveOptions = {}): Promise<LiveEnricher> {
    const live = new LiveEnricher(settings, opts);
    const first = await live.reloadNow();
    if (first.result === 'rejected') {
      // a typed error: the command line prints it with a hint, not as a stack trace
      throw new FlowlogError('IPAM_INVALID', `the IPAM could not be loaded: ${first.error}`, 'see what is wrong with flowlog ipam check --enrich FILE (the IPAM) or flowlog policy check FILE (the policy)');
    }
    if (opts.reloadIntervalMs) live.every(opts.reloadIntervalMs, async () => { if ((await fileStamps(live.watched())) !== live.stamps) await live.reloadNow(); });
    if (opts.netboxIntervalMs && settings.netbox) live.every(opts.netboxIntervalMs, () => live.reloadNow());
    return live;
  }

  get version(): string | null { return this.current?.enricher.version ?? null; }

  apply(batch: FlowBatch): void {
    const cur = this.current; // one read: the whole batch sees one version, enrichment and policy alike
    if (!cur) return;
    cur.enricher.apply(batch);
    if (!cur.policy) return;
    const ids = cur.enricher.lastIds();
    const v = evaluateBatch(cur.policy, batch, ids.src, ids.dst, this.violations);
    this.pending = v.length ? violationLines(toRows(batch, v, { policy: cur.policy })) : null;
  }

  takeViolations(): Buffer | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }

  /**
   * Builds a new version now. A call while a build runs gets the build after
   * it (the files may have changed since that one read them); calls in the
   * meantime share that next build.
   */
  reloadNow(): Promise<ReloadOutcome> {
    if (!this.running) {
      this.running = this.reload().finally(() => { this.running = null; });
      return this.running;
    }
    this.queued ??= this.running.then(() => { this.queued = null; return this.reloadNow(); });
    return this.queued;
  }

  private watched(): string[] { return [...this.settings.files, ...(this.settings.policyFile ? [this.settings.policyFile] : [])]; }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    const t = setInterval(() => { fn().catch(() => undefined); }, ms);
    t.unref();
    this.timers.push(t);
  }

  private async reload(): Promise<ReloadOutcome> {
    const stamps = await fileStamps(this.watched());
    let outcome: ReloadOutcome;
    try {
      const r = await buildInWorker(this.settings);
      if (!r.ok) outcome = { result: 'rejected', error: r.error };
      else if (r.data.version === this.current?.enricher.version && (r.policy?.text ?? null) === this.policyText) outcome = { result: 'unchanged', version: r.data.version };
      else {
        if (this.opts.store) await writeSnapshot(this.opts.store, { version: r.snapshot.version, loadedAt: r.snapshot.loadedAt, body: Buffer.from(r.snapshot.body.buffer, r.snapshot.body.byteOffset, r.snapshot.body.byteLength) });
        const enricher = new Enricher(r.data);
        const policy = r.policy ? compileWithSegments(parsePolicy(r.policy.text, r.policy.file), r.policy.entrySegment, r.data.version) : null;
        this.current = { enricher, policy }; // the swap: the next batch uses it
        this.policyText = r.policy?.text ?? null;
        outcome = { result: 'loaded', version: r.data.version, entries: r.data.entries, problems: r.problems, ms: r.ms };
      }
    } catch (e) {
      outcome = { result: 'rejected', error: (e as Error).message };
    }
    // a rejected version is not retried until the files change again; a NetBox pull may pass next time
    this.stamps = stamps;
    if (outcome.result !== 'rejected') this.rejections = 0;
    else if (this.settings.netbox && this.current) this.retryLater();
    this.opts.onReload?.(outcome);
    return outcome;
  }

  /** One pending retry at a time, 1 s, 5 s, ... 60 s after the rejections in a row. */
  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    const t = setTimeout(() => { this.retryTimer = null; if (!this.stopped) void this.reloadNow(); }, retryDelayMs(this.rejections++));
    t.unref();
    this.retryTimer = t;
  }
}
