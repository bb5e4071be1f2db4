/**
 * The detectors and reports inside `flowlog run`, on their cron schedules
 * (UTC): scans and novelty often, egress a few minutes past each hour, reports
 * when configured. A run still going when the next is due is not doubled
 * (croner's protect).
 */
import { Cron } from 'croner';
import type { DetectConfig } from '../../schemas/detect.js';
import { durationMs } from '../../schemas/common.js';
import type { ReportsConfig } from '../../schemas/reports.js';
import { makeReport } from '../report/make-report.js';
import { DETECTORS, type DetectorName } from '../detect/finding.js';
import { BREACH, FREQUENT, HOURLY, runDetectors } from '../detect/run-detectors.js';
import { detectSettings } from '../detect/settings.js';
import type { Metrics } from '../telemetry/metrics.js';
import { telemetryEvents } from '../telemetry/events.js';
import type { FlowStore } from '../store/store.js';
import { retryDelayMs } from '../core/backoff.js';
import type { HealthReporter } from './health.js';

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

export function scheduleDetectors(store: FlowStore, c: DetectConfig, metrics: Metrics, jobs = new InFlightJobs(), health?: HealthReporter): Cron[] {
  const settings = detectSettings(c);
  const ev = telemetryEvents(metrics);
  const job = (which: readonly DetectorName[]) => jobs.track(async (signal) => {
    const disabled = [...new Set([...(settings.disabled ?? []), ...DETECTORS.filter((d) => !which.includes(d))])];
    for (let attempt = 0; attempt < DETECT_TRIES && !signal.aborted; attempt++) {
      try {
        const r = await runDetectors(store, new Date(), { ...settings, disabled, breachesOnly: which === BREACH });
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
  return [
    new Cron(c.schedule, { timezone: 'UTC', protect: true }, job(FREQUENT)),
    new Cron(c.egress_schedule, { timezone: 'UTC', protect: true }, job(HOURLY)),
    new Cron(c.breach_schedule, { timezone: 'UTC', protect: true }, job(BREACH)),
  ];
}


/**
 * The configured reports, each on its cron (UTC), covering the `since` window that ends at the run.
 * A delivery is retried inside (a webhook's 5xx and network failures, with backoff); one that still
 * fails is counted, shown in /healthz under its report's name, and the next schedule delivers again.
 */
export function scheduleReports(store: FlowStore, reports: ReportsConfig, metrics?: Metrics, jobs = new InFlightJobs(), health?: (report: string) => HealthReporter): Cron[] {
  const ev = telemetryEvents(metrics);
  return reports.map((r) => new Cron(r.cron, { timezone: 'UTC', protect: true }, jobs.track(async (signal) => {
    const until = new Date();
    try {
      const res = await makeReport(store, { since: new Date(until.getTime() - durationMs(r.since)), until, ...(r.title ? { title: r.title } : {}), deliver: r.deliver, signal });
      ev.reportDelivered({ report: r.name, findings: res.findings, to: res.results.map((x) => x.target), data: res.data, alert: res.alert });
      health?.(r.name).ok();
    } catch (e) {
      health?.(r.name).failed(e);
      ev.reportFailed({ report: r.name, error: e });
    }
  })));
}
