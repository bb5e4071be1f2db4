/** The `reports:` section: scheduled reports, each a window, a cron and where it goes. */
import { z } from 'zod';
import { deliveriesSchema } from '../services/report/deliver.js';
import { duration } from './common.js';
import { cronExpr } from './detect.js';

export const reportsSchema = z.array(z.object({
  name: z.string().min(1).default('daily'),
  title: z.string().optional(),
  /** When, in UTC, e.g. "0 7 * * *" for 07:00 every day. */
  cron: cronExpr,
  /** The window ending at the run: 24h for a daily report. */
  since: duration.default('24h'),
  deliver: deliveriesSchema,
}).strict());

export type ReportsConfig = z.infer<typeof reportsSchema>;
