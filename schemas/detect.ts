/**
 * The `detect:` section: when the scheduled detectors run, their parameters
 * (all optional: the defaults are what `npm run eval` measures), and
 * suppression rules.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { duration } from './common.js';

/** Every detector's name, as findings, suppressions and `disabled:` spell it. */
export const DETECTORS = ['egress_spike', 'egress_ramp', 'new_destination', 'unusual_port', 'segmentation', 'scan', 'new_workload'] as const;
export type DetectorName = (typeof DETECTORS)[number];

export const cronExpr = z.string().refine((c) => { try { new Cron(c, { paused: true }); return true; } catch { return false; } },
  { message: 'a cron expression, e.g. "*/15 * * * *" (every 15 minutes) or "0 7 * * *" (07:00 UTC daily)' });

const positive = z.number().positive();

export const detectSchema = z.object({
  /** Scans and novelty look at recent minutes: run them often. */
  schedule: cronExpr.default('*/15 * * * *').describe('Cron (UTC) of the scan, novelty and segmentation detectors.'),
  /** Egress works on complete hours: a few minutes past each hour. */
  egress_schedule: cronExpr.default('5 * * * *').describe('Cron (UTC) of the egress detectors (they work on complete hours).'),
  /** Breaches page within minutes: segmentation also runs on this cron (cheap: it reads the violations the hot path recorded). */
  breach_schedule: cronExpr.default('* * * * *').describe('Cron (UTC) the segmentation detector also runs on, so that a breach is found within a minute or two of its flows being stored.'),
  disabled: z.array(z.enum(DETECTORS)).default([]).describe('Detectors that do not run.'),
  resolve_after: duration.default('2h').describe('An open finding its detector no longer sees is resolved this long after it was last seen (a later sighting opens a new finding).'),
  /** Defaults equal EGRESS_DEFAULTS in services/detect/egress.ts (a test keeps them equal): they are what `npm run eval` measures. */
  egress: z.object({
    kinds: z.array(z.enum(['owner', 'service', 'subnet', 'workload'])).default(['owner', 'service', 'subnet', 'workload']).describe('Entities whose egress is baselined.'),
    window_hours: z.number().int().min(1).default(3).describe('Complete hours evaluated for a spike, ending at the last complete hour.'),
    max_factor: positive.default(2).describe('Spike: an hour must exceed this many times the entity\'s largest hour of the previous 7 days (bursts it already does stay quiet).'),
    threshold: positive.default(4).describe('Spike: robust z-score at or above this.'),
    min_bytes: positive.default(200e6).describe('Spike: at least this many bytes in the hour.'),
    min_ratio: positive.default(3).describe('Spike: at least this many times the baseline.'),
    persistence: z.number().int().min(1).default(2).describe('Spike: flagged hours needed within window_hours.'),
    ramp_hours: z.number().int().min(2).default(6).describe('Ramp: hours in a row, each at or above ramp_z.'),
    ramp_z: positive.default(1.5).describe('Ramp: robust z-score every hour of the ramp reaches.'),
    ramp_min_bytes: positive.default(500e6).describe('Ramp: excess over the baseline, summed over the ramp, at least this.'),
    ramp_growth: positive.default(2).describe('Ramp: its last hour at least this many times its first (a ramp rises).'),
    ramp_trend: z.number().min(-1).max(1).default(0.8).describe('Ramp: Spearman rank correlation of the hours with their order at least this (steadily rising, not scattered bursts).'),
    cold_start_hours: z.number().int().min(72).default(72).describe('Cold start: hours of its own egress history an entity needs before it is judged against its own baseline (at least 72: the daily baseline needs 3 earlier days). Until then it is learning: no spike or ramp against its peers, only volume extreme for the whole estate; a workload first seen (in any flow) after the estate\'s own first cold_start_hours gets one informational new_workload finding once its egress reaches min_bytes, and its bytes stay out of its subnet\'s, service\'s and owner\'s baselines.'),
    cold_start_factor: positive.default(2).describe('Cold start: an hour of a learning entity is extreme at this many times the largest hour any established entity of its kind had in the previous 7 days (and at least min_bytes); persistence still applies.'),
    group_share: z.number().gt(0).max(1).default(0.5).describe('One incident: a workload whose excess is at least this share of its subnet\'s, service\'s or owner\'s excess is their cause; their findings become one finding about the workload, naming every level.'),
  }).strict().default({}).describe('Egress spikes and slow ramps per owner, service, subnet and workload.'),
  /** Defaults equal NOVELTY_DEFAULTS and SCAN_DEFAULTS in services/detect (a test keeps them equal). */
  novelty: z.object({
    window_minutes: positive.default(60).describe('Minutes of recent traffic, ending at the run, judged against the history before them.'),
    history_days: positive.default(7).describe('Days of history a destination or port must be absent from to be new.'),
    min_history_hours: positive.default(12).describe('Hours of history an entity needs before novelty is judged.'),
    new_dest_min_bytes: positive.default(50e6).describe('Bytes to a new destination before it is reported.'),
    new_port_min_flows: positive.default(20).describe('Flows on a new port before it is reported.'),
  }).strict().default({}).describe('New destinations and unusual ports.'),
  scan: z.object({
    window_minutes: positive.default(15).describe('Minutes a scan is looked for in, ending at the run; the segmentation detector groups the policy violations of the same minutes.'),
    min_ports: positive.default(25).describe('Distinct ports one source touches that make a vertical scan.'),
    min_hosts: positive.default(40).describe('Distinct hosts one source touches that make a horizontal scan.'),
    min_denied_share: z.number().min(0).max(1).default(0.5).describe('Share of the source\'s flows in the window the network refused (REJECT), at least this: a scan is mostly refused, busy clients are not.'),
  }).strict().default({}).describe('Port and host scans: one source touching many ports or hosts in a short window, mostly refused.'),
  suppress: z.array(z.object({
    detector: z.enum(DETECTORS).optional().describe('Only findings of this detector (default: any).'),
    entity: z.string().optional().describe('Only findings whose entity matches, as findings spell it (src=10.1.2.3, owner=payments); * matches any run of characters.'),
    owner: z.string().optional().describe('Only findings routed to this owner.'),
    from: z.coerce.date().optional().describe('Only from this time (ISO 8601 with its zone, e.g. 2026-11-01T00:00:00Z).'),
    until: z.coerce.date().optional().describe('Only until this time (ISO 8601 with its zone).'),
    reason: z.string().min(1, 'say why, so the next person knows').describe('Why: shown on the suppressed finding (labels.suppressed_by).'),
  }).strict()).default([]).describe('Findings to suppress: by detector, entity, owner and time range, each with a reason.'),
}).strict();

export type DetectConfig = z.infer<typeof detectSchema>;
