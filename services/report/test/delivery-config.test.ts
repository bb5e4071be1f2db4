/** The delivery targets as the config file writes them. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deliveriesSchema, deliverySchema, targetFromConfig } from '../deliver.js';

describe('deliverySchema', () => {
  it('accepts a folder, an S3 prefix and a webhook URL from the environment or a file', () => {
    const doc = parse(`
- dir: /var/lib/flowlog/reports
- s3: s3://team-reports/flowlog/prod-eu
- webhook: { url_env: SLACK_WEBHOOK_URL, report_url: "https://reports.example.com/prod-eu/latest/report.html" }
- webhook: { url: { env: SLACK_WEBHOOK_URL } }
- webhook: { url: { file: /run/secrets/slack-webhook } }
`);
    expect(deliveriesSchema.parse(doc)).toEqual(doc);
  });

  it.each([
    [{ dir: '' }, /folder path/],
    [{ s3: 'http://bucket/x' }, /s3:\/\/bucket\/prefix/],
    [{ webhook: { url: 'https://hooks.slack.com/services/T/B/X' } }, /carries a token: write url: \{ env: NAME \}/],
    [{ webhook: { url_env: 'not a name' } }, /environment variable name/],
    [{ webhook: { url: { env: 'B' }, url_env: 'A' } }, /Unrecognized key.*url_env/],
    [{ email: 'a@b' }, /\{ dir: PATH \}, \{ s3: s3:\/\/bucket\/prefix \} or \{ webhook/],
  ])('refuses %j, saying what is allowed', (bad, message) => {
    const r = deliverySchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join('; ')).toMatch(message);
  });

  it('reads a webhook URL from the environment, and names the variable (not a value) when it is missing', () => {
    expect(targetFromConfig({ webhook: { url_env: 'HOOK' } }, { env: { HOOK: 'https://h.example/secret' } })).toEqual({ kind: 'webhook', url: 'https://h.example/secret' });
    expect(() => targetFromConfig({ webhook: { url_env: 'HOOK' } }, { env: {} })).toThrow('environment variable HOOK is not set');
    expect(targetFromConfig({ webhook: { url: { env: 'HOOK' }, report_url: 'https://r.example/latest/report.html' } }, { env: { HOOK: 'https://h.example/secret' } }))
      .toEqual({ kind: 'webhook', url: 'https://h.example/secret', reportUrl: 'https://r.example/latest/report.html' });
  });

  it('refuses a webhook URL that is not http(s), naming where it came from', () => {
    expect(() => targetFromConfig({ webhook: { url: { env: 'HOOK' } } }, { env: { HOOK: 'ftp://x/y' } })).toThrow(/HOOK does not hold an http\(s\) URL/);
  });
});
