/**
 * Typed events that log and count together (as Vector's internal events do):
 * one call per occurrence writes its log line and moves its metrics, so a
 * log line and a counter can never disagree about what happened.
 *
 *   const ev = telemetryEvents(metrics, log.child({ source: 'vpc' }));
 *   ev.flowsStored({ source: 'vpc', rows, seconds });
 *
 * Without a Metrics (one-shot CLI commands) events only log.
 */
import type { RejectReason } from '../core/rejects.js';
import { errorFields, log as rootLog, type LogFields, type Logger } from './log.js';
import type { MetricName } from './catalogue.js';
import { EVENTS, failedEvent, type Component } from './event-names.js';
import type { Labels, Metrics } from './metrics.js';

/** One IPAM reload's outcome (the shape enrich/live.ts reports). */
export type IpamReload =
  | { result: 'loaded'; version: string; entries: number; problems: readonly unknown[]; ms: number }
  | { result: 'unchanged'; version: string }
  | { result: 'rejected'; error: string };

export interface TelemetryEvents {
  /** One batch durably stored: rows, insert time and, when known, the newest flow's time (freshness). */
  flowsStored(e: { source: string; rows: number; seconds: number; newestFlowAt?: Date }): void;
  /** Records of one reason quarantined (call once per source and reason, with the count). */
  recordsRejected(e: { source: string; reason: RejectReason; count: number }): void;
  sourceStarted(e: { source: string; kind: string } & LogFields): void;
  sourceStopped(e: { source: string }): void;
  /** One S3 or local round: objects read, and each object left unfinished for the next round. */
  sourceRound(e: { source: string; objects: number; skipped: number; rows: number; rejected: number; seconds: number; unfinished: readonly { object: string; reason: string }[] }): void;
  /** One Kafka partition round stored and committed. */
  kafkaRound(e: { source: string; partition: string | number; lag: number; seconds: number }): void;
  messagesRead(e: { source: string; count: number }): void;
  backpressure(e: { source: string; paused: boolean; reason?: string }): void;
  /** A store call failed transiently and is retried: consumption waits (flowlog_store_waiting = 1). */
  storeRetry(e: { attempt: number; waitMs: number; error: unknown }): void;
  /** The store answered again (logs only on the change from waiting). */
  storeRecovered(): void;
  ipamReload(o: IpamReload): void;
  detectRun(e: { detectors: readonly string[]; findings: number; ms: number; recorded: Partial<Record<string, { opened: number; resolved: number }>> }): void;
  /** `data` other than ok (NO DATA / PARTIAL DATA, with its `alert`) makes the line a warning: the report went out over missing flows. */
  reportDelivered(e: { report: string; findings: number; to: readonly string[]; data?: 'ok' | 'partial' | 'none'; alert?: string | null }): void;
  reportFailed(e: { report: string; error: unknown }): void;
  /** A scheduled job's tick claimed: `won` runs it here, `lost` means another instance has it (services/run/lease.ts). */
  scheduleClaim(e: { job: string; tick: string; won: boolean; holder: string }): void;
  /** A term lease (an S3 poll) taken or let go by this instance. */
  leaseChange(e: { lease: string; held: boolean; term: number }): void;
  /** Any error worth a line: logged as `<component>.failed` with its code, counted in flowlog_errors_total{component,code}. */
  error(e: { component: Component; error: unknown } & LogFields): void;
  signal(e: { signal: string }): void;
  shutdown(phase: 'started' | 'done'): void;
}

export function telemetryEvents(metrics?: Metrics, logger: Logger = rootLog): TelemetryEvents {
  const inc = (name: MetricName, labels: Labels, by = 1) => { if (by !== 0) metrics?.inc(name, labels, by); };
  const set = (name: MetricName, labels: Labels, v: number) => metrics?.set(name, labels, v);
  const observe = (name: MetricName, labels: Labels, v: number) => metrics?.observe(name, labels, v);
  const newest = new Map<string, number>();
  let storeWaiting = false;

  const events: TelemetryEvents = {
    flowsStored({ source, rows, seconds, newestFlowAt }) {
      inc('flowlog_flows_stored_total', { source }, rows);
      inc('flowlog_batches_total', { source });
      observe('flowlog_batch_rows', { source }, rows);
      observe('flowlog_insert_seconds', { source }, seconds);
      // flows arrive out of order: freshness is the newest seen, never moved back
      const at = newestFlowAt ? newestFlowAt.getTime() / 1000 : undefined;
      if (at !== undefined && at > (newest.get(source) ?? -Infinity)) {
        newest.set(source, at);
        set('flowlog_newest_flow_timestamp_seconds', { source }, at);
      }
      logger.debug(EVENTS.flowsStored, { source, rows, seconds, ...(newestFlowAt ? { newest_flow_at: newestFlowAt.toISOString() } : {}) });
    },
    recordsRejected({ source, reason, count }) {
      if (count <= 0) return;
      inc('flowlog_records_rejected_total', { source, reason }, count);
      logger.warn(EVENTS.recordsRejected, { source, reason, count });
    },
    sourceStarted({ source, kind, ...detail }) {
      set('flowlog_source_up', { source }, 1);
      logger.info(EVENTS.sourceStarted, { source, kind, ...detail });
    },
    sourceStopped({ source }) {
      set('flowlog_source_up', { source }, 0);
      logger.info(EVENTS.sourceStopped, { source });
    },
    sourceRound({ source, objects, skipped, rows, rejected, seconds, unfinished }) {
      inc('flowlog_rounds_total', { source });
      inc('flowlog_objects_total', { source }, objects);
      inc('flowlog_objects_unfinished_total', { source }, unfinished.length);
      observe('flowlog_round_duration_seconds', { source }, seconds);
      logger.info(EVENTS.sourceRound, { source, objects, skipped, rows, rejected, seconds, unfinished: unfinished.length });
      // left for the next round (poll) or the next run: the ledger has them as unfinished
      for (const u of unfinished) logger.warn(EVENTS.sourceUnfinished, { source, object: u.object, reason: u.reason });
      events.storeRecovered();
    },
    kafkaRound({ source, partition, lag, seconds }) {
      set('flowlog_consumer_lag', { source, partition }, lag);
      inc('flowlog_rounds_total', { source });
      observe('flowlog_round_duration_seconds', { source }, seconds);
      logger.debug(EVENTS.kafkaRound, { source, partition, lag, seconds });
      events.storeRecovered(); // a round got through: the store answers again
    },
    messagesRead({ source, count }) {
      inc('flowlog_messages_total', { source }, count);
      logger.debug(EVENTS.messagesRead, { source, count });
    },
    backpressure({ source, paused, reason = 'store' }) {
      set('flowlog_backpressure', { source }, paused ? 1 : 0);
      if (paused) logger.warn(EVENTS.sourcePaused, { source, reason });
      else logger.info(EVENTS.sourceResumed, { source, reason });
    },
    storeRetry({ attempt, waitMs, error }) {
      storeWaiting = true;
      set('flowlog_store_waiting', {}, 1);
      inc('flowlog_store_retries_total', {});
      logger.warn(EVENTS.storeRetry, { attempt, wait_ms: Math.round(waitMs), ...errorFields(error) });
    },
    storeRecovered() {
      set('flowlog_store_waiting', {}, 0);
      if (storeWaiting) logger.info(EVENTS.storeRecovered, {});
      storeWaiting = false;
    },
    ipamReload(o) {
      inc('flowlog_ipam_reloads_total', { result: o.result });
      if (o.result === 'loaded') {
        set('flowlog_ipam_entries', {}, o.entries);
        logger.info(EVENTS.ipamLoaded, { version: o.version, entries: o.entries, problems: o.problems.length, ms: Math.round(o.ms) });
      } else if (o.result === 'unchanged') {
        logger.debug(EVENTS.ipamUnchanged, { version: o.version });
      } else {
        inc('flowlog_errors_total', { component: 'ipam', code: 'IPAM_INVALID' });
        logger.warn(EVENTS.ipamRejected, { code: 'IPAM_INVALID', error: o.error });
      }
    },
    detectRun({ detectors, findings, ms, recorded }) {
      for (const [detector, x] of Object.entries(recorded)) {
        if (!x) continue;
        inc('flowlog_findings_total', { detector, change: 'opened' }, x.opened);
        inc('flowlog_findings_total', { detector, change: 'resolved' }, x.resolved);
      }
      observe('flowlog_detect_duration_seconds', {}, ms / 1000);
      logger.info(EVENTS.detectRun, { detectors, findings, ms: Math.round(ms), recorded });
    },
    reportDelivered({ report, findings, to, data, alert }) {
      inc('flowlog_reports_total', { result: 'delivered' });
      if (data && data !== 'ok') logger.warn(EVENTS.reportDelivered, { report, findings, to, data, alert });
      else logger.info(EVENTS.reportDelivered, { report, findings, to });
    },
    reportFailed({ report, error }) {
      inc('flowlog_reports_total', { result: 'failed' });
      events.error({ component: 'report', error, report });
    },
    scheduleClaim({ job, tick, won, holder }) {
      inc('flowlog_schedule_claims_total', { job, result: won ? 'won' : 'lost' });
      // every instance but one loses every tick: a line each would be noise
      logger.debug(won ? EVENTS.scheduleClaimed : EVENTS.scheduleSkipped, { job, tick, holder });
    },
    leaseChange({ lease, held, term }) {
      set('flowlog_lease_held', { lease }, held ? 1 : 0);
      logger.info(held ? EVENTS.leaseAcquired : EVENTS.leaseReleased, { lease, term });
    },
    error({ component, error, ...fields }) {
      const f = errorFields(error);
      inc('flowlog_errors_total', { component, code: String(f.code) });
      logger.error(failedEvent(component), { ...fields, ...f });
    },
    signal({ signal }) {
      logger.info(EVENTS.signal, { signal });
    },
    shutdown(phase) {
      logger.info(phase === 'started' ? EVENTS.shutdownStarted : EVENTS.shutdownDone, {});
    },
  };
  return events;
}
