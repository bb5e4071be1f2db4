/**
 * Where a rendered report goes: a folder, S3, a chat webhook. The config
 * side validates a list of targets with `deliverySchema`; `deliverReport`
 * sends the report to each of them and reports every failure, without one
 * target's failure stopping the others.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FlowlogError } from '../core/errors.js';
import { readSecret } from '../config/load-config.js';
import { makeS3Client, s3SettingsFromEnv } from '../sources/s3/client.js';
import { deliverToDir } from './deliver-dir.js';
import { deliverToS3 } from './deliver-s3.js';
import { postWebhook, redactUrl, type WebhookOptions } from './deliver-webhook.js';
import { reportStamp, type RenderedReport } from './report-files.js';
import { slackMessage } from './slack-message.js';

export { deliverySchema, deliveriesSchema, type DeliveryConfig } from '../../schemas/reports.js';
import type { DeliveryConfig } from '../../schemas/reports.js';


/** A resolved target: what `deliver` needs, secrets read and clients made. */
export type DeliveryTarget =
  | { kind: 'dir'; path: string }
  | { kind: 's3'; uri: string; client: S3Client }
  | { kind: 'webhook'; url: string; reportUrl?: string };

export interface DeliveryResult { target: string; location: string }

export interface DeliverOptions { webhook?: WebhookOptions }

export async function deliver(report: RenderedReport, t: DeliveryTarget, o: DeliverOptions = {}): Promise<DeliveryResult> {
  const stamp = reportStamp(report.data);
  switch (t.kind) {
    case 'dir': return { target: `dir ${t.path}`, location: (await deliverToDir(report.files, t.path, stamp)).location };
    case 's3': return { target: `s3 ${t.uri}`, location: (await deliverToS3(report.files, t.client, t.uri, stamp)).location };
    case 'webhook': {
      await postWebhook(t.url, slackMessage(report.data, t.reportUrl), o.webhook);
      return { target: `webhook ${redactUrl(t.url)}`, location: redactUrl(t.url) };
    }
  }
}

export interface TargetDeps { env?: NodeJS.ProcessEnv; s3Client?: () => S3Client }

export function targetFromConfig(c: DeliveryConfig, deps: TargetDeps = {}): DeliveryTarget {
  if ('dir' in c) return { kind: 'dir', path: c.dir };
  if ('s3' in c) return { kind: 's3', uri: c.s3, client: (deps.s3Client ?? (() => makeS3Client(s3SettingsFromEnv(deps.env))))() };
  const w = c.webhook;
  const ref = 'url_env' in w ? { env: w.url_env } : w.url;
  // the schema refuses an inline URL; a string here did not come through it
  if (typeof ref === 'string') throw new DeliveryError('webhook: url must be { env: NAME } or { file: PATH } (it carries a token)', []);
  const url = 'env' in ref ? (deps.env ?? process.env)[ref.env] : readSecret(ref, 'webhook.url');
  if (!url) throw new DeliveryError(`webhook: environment variable ${'env' in ref ? ref.env : ''} is not set (it holds the webhook URL)`, []);
  if (!/^https?:\/\//.test(url)) throw new DeliveryError(`webhook: ${'env' in ref ? ref.env : ref.file} does not hold an http(s) URL`, []);
  return { kind: 'webhook', url, ...(w.report_url ? { reportUrl: w.report_url } : {}) };
}

export class DeliveryError extends FlowlogError {
  constructor(message: string, readonly results: (DeliveryResult | { target: string; error: Error })[]) {
    super('DELIVERY_FAILED', message, 'each failed target is named with its error: fix it (the others were delivered) and run the report again');
    this.name = 'DeliveryError';
  }
}

/**
 * Every configured target, files before webhooks (so that a link in the
 * message leads to a report that is already there). Throws DeliveryError
 * naming each failed target once all have been tried.
 */
export async function deliverReport(report: RenderedReport, configs: DeliveryConfig[], deps: TargetDeps & DeliverOptions = {}): Promise<DeliveryResult[]> {
  const ordered = [...configs].sort((a, b) => Number('webhook' in a) - Number('webhook' in b));
  const results: (DeliveryResult | { target: string; error: Error })[] = [];
  for (const c of ordered) {
    const name = 'dir' in c ? `dir ${c.dir}` : 's3' in c ? `s3 ${c.s3}` : 'webhook';
    let target: DeliveryTarget | undefined;
    try {
      target = targetFromConfig(c, deps);
      results.push(await deliver(report, target, deps));
    } catch (e) {
      results.push({ target: name, error: e as Error });
    } finally {
      // a client we made is ours to close; one passed in belongs to the caller
      if (target?.kind === 's3' && !deps.s3Client) target.client.destroy();
    }
  }
  const failed = results.filter((r): r is { target: string; error: Error } => 'error' in r);
  if (failed.length) throw new DeliveryError(`report delivery failed for ${failed.length} of ${results.length} targets: ${failed.map((f) => `${f.target}: ${f.error.message}`).join('; ')}`, results);
  return results as DeliveryResult[];
}
