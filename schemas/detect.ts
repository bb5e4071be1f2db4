/**
 * The `detect:` section: when the scheduled detectors run, their parameters
 * (all optional: the defaults are what `npm run eval` measures), and
 * suppression rules.
 */
import { Cron } from 'croner';
import { z } from 'zod';

/** Every detector's name, as findings, suppressions and `disabled:` spell it. */
export const DETECTORS = ['egress_spike', 'egress_ramp', 'new_destination', 'unusual_port', 'segmentation', 'scan'] as const;
export type DetectorName = (typeof DETECTORS)[number];

export const cronExpr = z.string().refine((c) => { try { new Cron(c, { paused: true }); return true; } catch { return false; } },
  { message: 'a cron expression, e.g. "*/15 * * * *" (every 15 minutes) or "0 7 * * *" (07:00 UTC daily)' });

const positive = z.number().positive();

export const detectSchema = z.object({
  /** Scans and novelty look at recent minutes: run them often. */
  schedule: cronExpr.default('*/15 * * * *'),
  /** Egress works on complete hours: a few minutes past each hour. */
  egress_schedule: cronExpr.default('5 * * * *'),
  disabled: z.array(z.enum(DETECTORS)).default([]),
  egress: z.object({
    kinds: z.array(z.enum(['owner', 'service', 'subnet', 'workload'])).optional(),
    min_bytes: positive.optional(), threshold: positive.optional(), min_ratio: positive.optional(), persistence: z.number().int().min(1).optional(),
    ramp_hours: z.number().int().min(2).optional(), ramp_min_bytes: positive.optional(),
  }).strict().default({}),
  novelty: z.object({ history_days: positive.optional(), min_history_hours: positive.optional(), new_dest_min_bytes: positive.optional(), new_port_min_flows: positive.optional() }).strict().default({}),
  scan: z.object({ window_minutes: positive.optional(), min_ports: positive.optional(), min_hosts: positive.optional() }).strict().default({}),
  suppress: z.array(z.object({
    detector: z.enum(DETECTORS).optional(),
    entity: z.string().optional(),
    owner: z.string().optional(),
    from: z.coerce.date().optional(),
    until: z.coerce.date().optional(),
    reason: z.string().min(1, 'say why, so the next person knows'),
  }).strict()).default([]),
}).strict();

export type DetectConfig = z.infer<typeof detectSchema>;
