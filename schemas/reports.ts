/** The `reports:` section: scheduled reports, each a window, a cron and where it goes. */
import { z } from 'zod';
import { duration } from './common.js';
import { cronExpr } from './detect.js';

const reportUrl = z.string().url('an http(s) URL where readers open the report, e.g. the latest/report.html behind your S3 bucket');

/**
 * One target, as written in YAML:
 *   - dir: /var/lib/flowlog/reports
 *   - s3: s3://team-reports/flowlog/prod-eu
 *   - webhook: { url_env: SLACK_WEBHOOK_URL, report_url: https://reports.example.com/prod-eu/latest/report.html }
 * A webhook URL is a credential: prefer url_env, which keeps it out of the file.
 */
export const deliverySchema = z.union([
  z.object({ dir: z.string().min(1, 'a folder path') }).strict(),
  z.object({ s3: z.string().regex(/^s3:\/\/[^/]+(\/.*)?$/, 's3://bucket/prefix') }).strict(),
  z.object({
    webhook: z.union([
      z.object({ url: z.string().url().regex(/^https?:\/\//, 'an http(s) URL'), report_url: reportUrl.optional() }).strict(),
      z.object({ url_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), report_url: reportUrl.optional() }).strict(),
    ], { errorMap: () => ({ message: '{ url: https://... } or { url_env: VARIABLE }, with an optional report_url' }) }),
  }).strict(),
], { errorMap: (issue, ctx) => (issue.code === 'invalid_union' ? { message: '{ dir: PATH }, { s3: s3://bucket/prefix } or { webhook: { url_env: VARIABLE } }' } : { message: ctx.defaultError }) });

export const deliveriesSchema = z.array(deliverySchema).min(1, 'at least one delivery target');

export type DeliveryConfig = z.infer<typeof deliverySchema>;

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
