/**
 * POSTs a JSON message to a chat webhook. Server errors (5xx) and network
 * failures are retried with exponential backoff; a 4xx means the request
 * itself is wrong (bad payload, revoked hook) and is not retried. A webhook
 * URL is a credential (Slack's carries its token in the path), so logs and
 * errors only ever name the scheme and host.
 */
import { FlowlogError } from '../core/errors.js';
import { log as logger } from '../telemetry/log.js';
import { EVENTS } from '../telemetry/event-names.js';

export interface WebhookOptions {
  retries?: number; // after the first attempt
  backoffMs?: number; // first wait; doubles each retry
  timeoutMs?: number; // per attempt
  signal?: AbortSignal; // a stopping flowlog: no further attempt, the one in flight is abandoned
  log?: (event: Record<string, unknown>) => void;
}

export class WebhookError extends FlowlogError {
  constructor(message: string, readonly status: number | null, readonly attempts: number) {
    super('WEBHOOK_FAILED', message, status !== null && status < 500
      ? 'the hook or the message is wrong: check that the webhook URL is current (a revoked hook answers 4xx)'
      : 'the chat service or the network failed past the retries: check that it is reachable from here');
    this.name = 'WebhookError';
  }
}

/** "https://hooks.slack.com/…": enough to tell which hook, nothing that grants access. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}

const defaultLog = ({ event, ...fields }: Record<string, unknown>) => logger.warn(String(event), fields);
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal?.removeEventListener('abort', done); r(); }
  signal?.addEventListener('abort', done, { once: true });
});
const stopped = (target: string, attempt: number) => new WebhookError(`webhook ${target}: not delivered, flowlog is stopping`, null, attempt);

export async function postWebhook(url: string, payload: unknown, o: WebhookOptions = {}): Promise<{ status: number; attempts: number }> {
  const target = redactUrl(url);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new WebhookError(`webhook ${target}: not an http(s) URL`, null, 0);
  const retries = o.retries ?? 3, backoff = o.backoffMs ?? 1000, log = o.log ?? defaultLog;
  const body = JSON.stringify(payload);
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw stopped(target, attempt - 1);
    let status: number | null = null, problem: string;
    try {
      const res = await fetch(url, {
        method: 'POST', body, redirect: 'manual',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        signal: o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? 10_000)]) : AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      status = res.status;
      const reply = (await res.text().catch(() => '')).slice(0, 200);
      if (res.ok) return { status, attempts: attempt };
      problem = `HTTP ${status}${reply ? ` ${JSON.stringify(reply)}` : ''}`;
      if (status < 500) throw new WebhookError(`webhook ${target} refused the message: ${problem} (not retried: the request itself is wrong)`, status, attempt);
    } catch (e) {
      if (e instanceof WebhookError) throw e;
      if (o.signal?.aborted) throw stopped(target, attempt);
      // fetch's errors name the host and port at most; their cause says why (refused, reset, timeout)
      const err = e as Error & { cause?: { code?: string; message?: string } };
      problem = err.name === 'TimeoutError' ? 'timed out' : `${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}`;
    }
    if (attempt > retries) throw new WebhookError(`webhook ${target} failed after ${attempt} attempts: ${problem}`, status, attempt);
    const wait = backoff * 2 ** (attempt - 1);
    log({ event: EVENTS.webhookRetry, target, attempt, status, problem, wait_ms: wait });
    await sleep(wait, o.signal);
  }
}
