/** The `reports:` section: scheduled reports, each a window, a cron and where it goes. */
import { z } from 'zod';
import { duration, secret } from './common.js';
import { cronExpr } from './detect.js';

const reportUrl = z.string().url('an http(s) URL where readers open the report, e.g. the latest/report.html behind your S3 bucket');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/**
 * A webhook URL carries its token: written inline, it would sit in the file (and in every copy of it).
 * A string is let through the type check only to be refused with the fix (a failed union would hide it);
 * the JSON Schema shows the secret reference alone (services/config/json-schema.ts).
 */
export const webhookUrl = z.union([z.string(), secret], {
  errorMap: () => ({ message: '{ env: VARIABLE } or { file: /path/to/file } holding the webhook URL' }),
}).superRefine((v, ctx) => {
  if (typeof v === 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a webhook URL carries a token: write url: { env: NAME } (or { file: PATH }) and export NAME=<the URL>, never the URL itself' });
}).describe('Where the webhook URL comes from: { env: NAME } or { file: PATH } (it carries a token).');

/**
 * One target, as written in YAML:
 *   - dir: /var/lib/flowlog/reports
 *   - s3: s3://team-reports/flowlog/prod-eu
 *   - webhook: { url: { env: SLACK_WEBHOOK_URL }, report_url: https://reports.example.com/prod-eu/latest/report.html }
 * `url_env: NAME` is the older spelling of `url: { env: NAME }`.
 */
export const deliverySchema = z.union([
  z.object({ dir: z.string().min(1, 'a folder path').describe('Write the report files under this folder.') }).strict(),
  z.object({ s3: z.string().regex(/^s3:\/\/[^/]+(\/.*)?$/, 's3://bucket/prefix').describe('Upload the report files under this prefix.') }).strict(),
  z.object({
    webhook: z.union([
      z.object({ url: webhookUrl, report_url: reportUrl.optional().describe('Link to the report in the message.') }).strict(),
      z.object({ url_env: envName.describe('Older spelling of url: { env: NAME }.'), report_url: reportUrl.optional().describe('Link to the report in the message.') }).strict(),
    ], { errorMap: (issue, ctx) => (issue.code === 'invalid_union' ? { message: '{ url: { env: VARIABLE } } or { url_env: VARIABLE }, with an optional report_url' } : { message: ctx.defaultError }) })
      .describe('Post a summary to a chat webhook (Slack-compatible).'),
  }).strict(),
], { errorMap: (issue, ctx) => (issue.code === 'invalid_union' ? { message: '{ dir: PATH }, { s3: s3://bucket/prefix } or { webhook: { url: { env: VARIABLE } } }' } : { message: ctx.defaultError }) });

export const deliveriesSchema = z.array(deliverySchema).min(1, 'at least one delivery target');

export type DeliveryConfig = z.infer<typeof deliverySchema>;

export const reportsSchema = z.array(z.object({
  name: z.string().min(1).default('daily').describe('Report name (its folder under each target).'),
  title: z.string().optional().describe('Title shown on the report.'),
  /** When, in UTC, e.g. "0 7 * * *" for 07:00 every day. */
  cron: cronExpr.describe('When, in UTC, e.g. "0 7 * * *" for 07:00 every day.'),
  /** The window ending at the run: 24h for a daily report. */
  since: duration.default('24h').describe('The window ending at the run: 24h for a daily report.'),
  deliver: deliveriesSchema.describe('Where the report goes.'),
}).strict());

export type ReportsConfig = z.infer<typeof reportsSchema>;
