/**
 * The detectors and reports inside `flowlog run`, on their cron schedules
 * (UTC): scans and novelty often, egress a few minutes past each hour, reports
 * when configured. A run still going when the next is due is not doubled
 * (croner's protect). With several instances on one store, each tick is
 * claimed first (a lease per job and tick, run/lease.ts): one instance runs
 * it, the others skip it, so no report or webhook goes out twice.
 */
import { Cron } from 'croner';
import type { DetectConfig } from '../../schemas/detect.js';
import { durationMs } from '../../schemas/common.js';
import type { ReportsConfig } from '../../schemas/reports.js';
import { makeReport } from '../report/make-report.js';
import type { DetectorName } from '../detect/finding.js';
import { detectorJobs, jobSettings, runDetectors } from '../detect/run-detectors.js';
import { detectSettings } from '../detect/settings.js';
import type { Metrics } from '../telemetry/metrics.js';
import { telemetryEvents } from '../telemetry/events.js';
import type { FlowStore } from '../store/store.js';
import { retryDelayMs } from '../core/backoff.js';
import type { HealthReporter } from './health.js';

/**
 * Claims a job's tick for this instance: true runs it here. Absent: every tick
 * runs (one instance, or a test). Throws when the store cannot say.
 */
export type TickClaim = (job: string, tick: Date) => Promise<boolean>;

/**
 * The tick a cron job's run belongs to: its scheduled time, the same on every
 * instance whatever the delay before the callback ran. croner fires at or
 * just after the scheduled time, so it is the latest scheduled time not after now.
 */
export function scheduledTick(cron: Cron, now = new Date()): Date {
  const t = cron.previousRuns(2, new Date(now.getTime() + 1000)).find((d) => d.getTime() <= now.getTime());
  return t ?? new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/** Tries of one scheduled detector run: the first and two retries after 1 s and 5 s (core/backoff.ts); the next schedule tries again. */
const DETECT_TRIES = 3;

const pause = (ms: number, signal: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal.removeEventListener('abort', done); r(); }
  signal.addEventListener('abort', done, { once: true });
});

/**
 * The jobs the schedules started and that have not ended: a stopping run
 * aborts what can be aborted (webhook posts) and waits for the rest, within a
 * bound, before it closes the store and says it is done.
 */
export class InFlightJobs {
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  get signal(): AbortSignal { return this.abort.signal; }

  track(job: (signal: AbortSignal) => Promise<void>): () => Promise<void> {
    return () => {
      const p: Promise<void> = job(this.abort.signal).finally(() => this.running.delete(p));
      this.running.add(p);
      return p;
    };
  }

  /** Aborts and waits; false when jobs were still running after `boundMs` (the stop goes on without them). */
  async settle(boundMs = 10_000): Promise<boolean> {
    this.abort.abort();
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), boundMs); });
    try {
      return await Promise.race([Promise.allSettled([...this.running]).then(() => true), bound]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function scheduleDetectors(store: FlowStore, c: DetectConfig, metrics: Metrics, jobs = new InFlightJobs(), health?: HealthReporter, claim?: TickClaim): Cron[] {
  const settings = detectSettings(c);
  const ev = telemetryEvents(metrics);
  const job = (name: string, which: readonly DetectorName[], breachesOnly: boolean, cron: () => Cron) => jobs.track(async (signal) => {
    const tick = scheduledTick(cron());
    const mine = jobSettings(settings, which, breachesOnly);
    let claimed = !claim;
    for (let attempt = 0; attempt < DETECT_TRIES && !signal.aborted; attempt++) {
      try {
        // claimed once, inside the retries: a store that cannot say now may answer on the next try
        if (!claimed) { if (!(await claim!(name, tick))) return; claimed = true; }
        const r = await runDetectors(store, new Date(), mine);
        ev.detectRun({ detectors: which, findings: r.findings.length, ms: r.ms, recorded: r.recorded });
        health?.ok();
        return;
      } catch (e) {
        health?.failed(e);
        const last = attempt === DETECT_TRIES - 1;
        ev.error({ component: 'detect', error: e, detectors: which, ...(last ? {} : { retry_in_ms: retryDelayMs(attempt) }) });
        if (!last) await pause(retryDelayMs(attempt), signal);
      }
    }
  });
  return detectorJobs(c).map((j) => {
    const cron: Cron = new Cron(j.cron, { timezone: 'UTC', protect: true }, job(j.name, j.detectors, j.breachesOnly ?? false, () => cron));
    return cron;
  });
}


/**
 * The configured reports, each on its cron (UTC), covering the `since` window that ends at the run.
 * A delivery is retried inside (a webhook's 5xx and network failures, with backoff); one that still
 * fails is counted, shown in /healthz under its report's name, and the next schedule delivers again.
 */
export function scheduleReports(store: FlowStore, reports: ReportsConfig, metrics?: Metrics, jobs = new InFlightJobs(), health?: (report: string) => HealthReporter, claim?: TickClaim): Cron[] {
  const ev = telemetryEvents(metrics);
  return reports.map((r) => {
    const cron: Cron = new Cron(r.cron, { timezone: 'UTC', protect: true }, jobs.track(async (signal) => {
      const until = new Date();
      try {
        if (claim && !(await claim(`report:${r.name}`, scheduledTick(cron, until)))) return;
        const res = await makeReport(store, { since: new Date(until.getTime() - durationMs(r.since)), until, ...(r.title ? { title: r.title } : {}), deliver: r.deliver, signal });
        ev.reportDelivered({ report: r.name, findings: res.findings, to: res.results.map((x) => x.target), data: res.data, alert: res.alert });
        health?.(r.name).ok();
      } catch (e) {
        health?.(r.name).failed(e);
        ev.reportFailed({ report: r.name, error: e });
      }
    }));
    return cron;
  });
}
