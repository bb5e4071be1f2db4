/**
 * Webhook delivery against a local HTTP server: the Slack-compatible
 * payload, retries on 5xx and network errors (not on 4xx), and the hook's
 * secret path never appearing in a log line or an error.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverReport } from '../deliver.js';
import { postWebhook, WebhookError } from '../deliver-webhook.js';
import { renderReport } from '../report-files.js';
import { slackMessage, type SlackMessage } from '../slack-message.js';
import { HOSTILE, quietReportFixture, reportFixture } from './fixture.js';
import { hangingWebhookServer, webhookServer } from './webhook-server.js';

const SECRET = '/services/T0001/B0002/s3cr3tT0k3nXYZ';
const fast = { retries: 3, backoffMs: 20 };
let closers: (() => Promise<void>)[] = [];
afterEach(async () => { await Promise.all(closers.map((c) => c())); closers = []; });

async function server(statuses: number[]) {
  const s = await webhookServer(statuses);
  closers.push(s.close);
  return s;
}

describe('webhook delivery', () => {
  it('gives up a post in flight when its signal aborts (a stopping run), without retrying, naming no secret', async () => {
    const s = await hangingWebhookServer();
    closers.push(s.close);
    const stop = new AbortController();
    const posted = postWebhook(s.url(SECRET), { text: 'x' }, { ...fast, timeoutMs: 60_000, signal: stop.signal, log: () => undefined });
    while (s.posts() === 0) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    const err = await posted.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as WebhookError).message).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/…: not delivered, flowlog is stopping$/);
    expect((err as WebhookError).attempts).toBe(1);
    expect(s.posts()).toBe(1);
  });

  it('posts text plus blocks with the 5 most severe open findings, their owners and a link to the report', async () => {
    const s = await server([200]);
    const report = renderReport(reportFixture());
    const [r] = await deliverReport(report, [{ webhook: { url_env: 'HOOK', report_url: 'https://reports.example.com/prod-eu/latest/report.html?a=1&b=2' } }], { env: { HOOK: s.url(SECRET) } });
    expect(r!.target).not.toContain('s3cr3t');
    expect(s.received).toHaveLength(1);
    expect(s.received[0]!.path).toBe(SECRET);
    expect(s.received[0]!.contentType).toMatch(/^application\/json/);
    const m = s.received[0]!.body as SlackMessage;
    expect(m.text).toBe('flowlog anomaly report — prod-eu: 10 open findings (2 critical, 4 high, 3 medium, 1 info), 2026-05-01 06:00 → 2026-05-02 06:00 UTC');
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'flowlog anomaly report — prod-eu' } });
    const findings = m.blocks.filter((b) => b.type === 'section' && /\*(CRITICAL|HIGH|MEDIUM|LOW|INFO)\*/.test(b.text.text)).map((b) => (b as { text: { text: string } }).text.text);
    expect(findings).toHaveLength(5);
    expect(findings.map((t) => /\*([A-Z]+)\*/.exec(t)![1])).toEqual(['CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'HIGH']);
    expect(findings[0]).toContain('*payments* · egress spike\negress spike: owner payments sent 48.20 GB');
    expect(findings[2]).toContain('*identity* · new destination');
    expect(JSON.stringify(m)).toContain('…and 5 more open findings in the report');
    expect(m.blocks.at(-1)).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '<https://reports.example.com/prod-eu/latest/report.html?a=1&amp;b=2|Open the full report>' } });
  });

  it('escapes what Slack would read as a link or a mention, and says so calmly when nothing was found', () => {
    const d = reportFixture();
    d.findings = d.findings.map((f) => ({ ...f, severity: 'critical', owner: f.owner === HOSTILE ? '<!channel> <script>' : f.owner }));
    const text = JSON.stringify(slackMessage(d));
    expect(text).toContain('&lt;!channel&gt; &lt;script&gt;');
    expect(text).not.toContain('<!channel>');
    const quiet = slackMessage(quietReportFixture());
    expect(quiet.text).toContain('no open findings');
    expect(quiet.blocks.map((b) => b.type)).toEqual(['header', 'section']);
  });

  it('retries a 503 and then succeeds, logging without the secret', async () => {
    const s = await server([503, 503, 200]);
    const logs: string[] = [];
    const r = await postWebhook(s.url(SECRET), { text: 'x' }, { ...fast, log: (e) => logs.push(JSON.stringify(e)) });
    expect(r).toEqual({ status: 200, attempts: 3 });
    expect(s.received).toHaveLength(3);
    expect(logs).toHaveLength(2);
    expect(JSON.parse(logs[0]!)).toMatchObject({ event: 'report_webhook_retry', attempt: 1, status: 503, wait_ms: 20, target: s.url('/…') });
    expect(JSON.parse(logs[1]!).wait_ms).toBe(40); // backoff doubles
    for (const l of logs) expect(l).not.toContain('s3cr3t');
  });

  it('does not retry a 400', async () => {
    const s = await server([400, 200]);
    const logs: string[] = [];
    const e = await postWebhook(s.url(SECRET), { text: 'x' }, { ...fast, log: (x) => logs.push(JSON.stringify(x)) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebhookError);
    expect(e).toMatchObject({ status: 400, attempts: 1 });
    expect((e as Error).message).toContain('HTTP 400 "invalid_blocks"');
    expect((e as Error).message).not.toContain('s3cr3t');
    expect(s.received).toHaveLength(1);
    expect(logs).toEqual([]);
  });

  it('gives up after 3 retries of a 5xx', async () => {
    const s = await server([500, 502, 503, 504, 200]);
    const e = await postWebhook(s.url(SECRET), { text: 'x' }, { ...fast, log: () => {} }).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 504, attempts: 4 });
    expect((e as Error).message).toMatch(/failed after 4 attempts: HTTP 504/);
    expect(s.received).toHaveLength(4);
  });

  it('retries network errors, and names neither path nor token when it gives up', async () => {
    // a port that was just free: connections are refused
    const port = await new Promise<number>((r) => { const l = createServer().listen(0, '127.0.0.1', () => { const p = (l.address() as { port: number }).port; l.close(() => r(p)); }); });
    const logs: string[] = [];
    const e = await postWebhook(`http://127.0.0.1:${port}${SECRET}?token=abc`, { text: 'x' }, { ...fast, log: (x) => logs.push(JSON.stringify(x)) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: null, attempts: 4 });
    expect((e as Error).message).toContain('ECONNREFUSED');
    expect(logs).toHaveLength(3);
    for (const t of [...logs, (e as Error).message, (e as Error).stack ?? '']) { expect(t).not.toContain('s3cr3t'); expect(t).not.toContain('token=abc'); }
  });
});
