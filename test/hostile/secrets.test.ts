/**
 * No secret leaves flowlog: distinctive secret values (a password in a URL's
 * userinfo, a webhook token in a path and a query, CLICKHOUSE_PASSWORD, an S3
 * secret key, a Kafka SASL password) are fed through every failure path an
 * operator can hit, and everything printed, logged or served is searched
 * for each of them. The one rule is services/telemetry/redact.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../services/cli/main.js';
import { resolveConfig } from '../../services/config/resolve.js';
import { log } from '../../services/telemetry/log.js';
import { Metrics } from '../../services/telemetry/metrics.js';

const SECRETS = {
  userinfo: 'userinfo-pw-7Qx9Zk',
  hookPath: 'hookpath-token-4Kd2Wn',
  hookQuery: 'hookquery-sig-5Jm1Pe',
  clickhouse: 'clickhouse-pw-8Rt3Ya',
  s3: 's3-secret-key-2Vb6Hu',
  sasl: 'sasl-conn-string-9Lp0Qc',
};
const HOOK = `https://hooks.example/services/T01/B02/${SECRETS.hookPath}?sig=${SECRETS.hookQuery}`;
const STORE_URL = `http://alice:${SECRETS.userinfo}@127.0.0.1:1/flows`;

const dir = mkdtempSync(join(tmpdir(), 'flowlog-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const f = join(dir, name); writeFileSync(f, text); return f; };

/** Everything written to stdout and stderr (log lines included) while fn runs, and whatever it threw (Node would print it). */
let out = '';
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { out += String(s); return true; });
  vi.stubEnv('CLICKHOUSE_PASSWORD', SECRETS.clickhouse);
  vi.stubEnv('S3_SECRET_KEY', SECRETS.s3);
  vi.stubEnv('S3_ACCESS_KEY', 'AKIAEXAMPLEEXAMPLE01');
  vi.stubEnv('EH_CONN', SECRETS.sasl);
  vi.stubEnv('HOOK', HOOK);
  vi.stubEnv('FLOWLOG_LOG_LEVEL', 'debug');
});
afterEach(() => { vi.restoreAllMocks(); vi.unstubAllEnvs(); });

async function cli(argv: string[]): Promise<string> {
  try { await main(argv); } catch (e) { out += `${(e as Error).stack ?? String(e)}\n`; }
  return out;
}

function expectNoSecret(text: string, what: string): void {
  expect(text.length, `${what} printed something`).toBeGreaterThan(0);
  for (const [name, v] of Object.entries(SECRETS)) expect(text.includes(v), `${what} shows the ${name} secret:\n${text}`).toBe(false);
}

const KAFKA = `  - { kind: kafka, name: eh, brokers: ["ns.example:9093"], topics: [flows], sasl: { mechanism: plain, username: "$ConnectionString", password: { env: EH_CONN } },
      s3: { access_key: { env: S3_ACCESS_KEY }, secret_key: { env: S3_SECRET_KEY }, allow: [{ bucket: flow-logs }] } }`;

describe('secrets never appear in what flowlog prints, logs or serves', () => {
  it('config validation errors (run --check): inline secrets, a webhook URL written in the file, a URL with a password', async () => {
    const f = file('invalid.yaml', `store: { kind: clickhouse, url: "${STORE_URL}", password: "${SECRETS.clickhouse}", retry: { base: 1x } }
sources:
${KAFKA}
  - { kind: kafka, name: eh2, brokers: ["ns.example:9093"], topics: [flows], sasl: { mechanism: plain, username: u, password: "${SECRETS.sasl}" } }
  - { kind: s3, name: b, uri: "s3://flow-logs/", secret_key: "${SECRETS.s3}", endpoint: "http://u:${SECRETS.userinfo}@minio:notaport" }
reports:
  - { cron: "0 7 * * *", deliver: [{ webhook: { url: "${HOOK}" } }, { webhook: { url_env: HOOK, bad: "${HOOK}" } }] }
`);
    const text = await cli(['run', '--config', f, '--check']);
    expect(text).toMatch(/CONFIG_INVALID/);
    expect(text).toMatch(/sources\[1\]\.sasl\.password: got \(hidden\)/);
    expect(text).toMatch(/webhook\.url: got \(hidden\)/);
    expectNoSecret(text, 'a config validation error');
  });

  it('a YAML syntax error on a line holding a secret names the line, column and keys, not the text', async () => {
    const f = file('broken.yaml', `store:\n  kind: clickhouse\n  url: "${STORE_URL}\n  user: x: "${SECRETS.clickhouse}"\nsources: [\n`);
    const text = await cli(['run', '--config', f, '--check']);
    expect(text).toMatch(/is not valid YAML at line \d+, column \d+ \(under store/);
    expectNoSecret(text, 'a YAML syntax error');
  });

  it('run --check and config print of a valid configuration', async () => {
    const f = file('valid.yaml', `store: { kind: clickhouse, url: "http://alice:${SECRETS.userinfo}@ch.example:8443/?token=${SECRETS.hookQuery}", password: { env: CLICKHOUSE_PASSWORD } }
sources:
${KAFKA}
reports:
  - { cron: "0 7 * * *", deliver: [{ webhook: { url: { env: HOOK }, report_url: "https://reports.example/r.html?sig=${SECRETS.hookQuery}" } }] }
`);
    expect(await cli(['run', '--config', f, '--check'])).toMatch(/: ok \(1 source\)/);
    expectNoSecret(out, 'run --check');
    out = '';
    expectNoSecret(await cli(['config', 'print', '--config', f]), 'config print');
    out = '';
    expectNoSecret(await cli(['config', 'print', '--config', f, '--format', 'json']), 'config print --format json');
  });

  it('a store that cannot be reached, and a store URL that is not one', async () => {
    vi.stubEnv('FLOWLOG_CONFIG', file('retry.yaml', 'store: { kind: clickhouse, url: "http://127.0.0.1:1", retry: { base: 1ms, max: 1ms } }\n'));
    vi.stubEnv('CLICKHOUSE_URL', STORE_URL);
    expect(await cli(['migrate'])).toMatch(/STORE_QUERY_FAILED/);
    expectNoSecret(out, 'a failing store connection');
    out = '';
    vi.stubEnv('CLICKHOUSE_URL', `http://alice:${SECRETS.userinfo}@127.0.0.1:99999/?password=${SECRETS.clickhouse}`);
    expect(await cli(['migrate'])).toMatch(/store\.url: got "http:\/\/\*\*\*@127\.0\.0\.1:99999\/\?\*\*\*"/);
    expectNoSecret(out, 'an invalid store URL');
    out = '';
    // a URL, but not one the ClickHouse client takes
    vi.stubEnv('CLICKHOUSE_URL', `http://alice:${SECRETS.userinfo}@127.0.0.1:1/?password=${SECRETS.clickhouse}`);
    expect(await cli(['migrate'])).toMatch(/CONFIG_INVALID: store\.url http:\/\/\*\*\*@127\.0\.0\.1:1\/\?\*\*\* is not a usable ClickHouse URL/);
    expectNoSecret(out, 'a malformed store URL');
  });

  it('an S3 endpoint that is not a URL, and one that does not answer', async () => {
    vi.stubEnv('FLOWLOG_DATA_DIR', join(dir, 'store'));
    vi.stubEnv('S3_ENDPOINT', `http://u:${SECRETS.userinfo}@minio:port/?x=${SECRETS.s3}`);
    expect(await cli(['ingest', 's3://flow-logs/AWSLogs/'])).toMatch(/S3_ENDPOINT=".*" is not a URL/);
    expectNoSecret(out, 'a malformed S3 endpoint');
    out = '';
    vi.stubEnv('S3_ENDPOINT', `http://u:${SECRETS.userinfo}@127.0.0.1:1/`);
    expectNoSecret(await cli(['ingest', 's3://flow-logs/AWSLogs/']), 'a failing S3 endpoint');
  }, 30_000);

  it('log lines, /metrics label values and /healthz detail', async () => {
    // what flowlog run reads first: the webhook's variable is a secret because the configuration says so
    resolveConfig({ file: file('run.yaml', `sources:\n${KAFKA}\nreports:\n  - { cron: "0 7 * * *", deliver: [{ webhook: { url: { env: HOOK } } }] }\n`), env: process.env });
    log.warn('test.leak', { url: STORE_URL, note: `sasl ${SECRETS.sasl}`, nested: { hook: HOOK, list: [SECRETS.s3] }, error: new Error(`auth with ${SECRETS.clickhouse} failed`) });
    log.child({ endpoint: STORE_URL }).info('test.child');
    expectNoSecret(out, 'a log line');
    expect(out).toContain('http://***@127.0.0.1:1/flows');

    const m = new Metrics();
    m.define('test_total', 'counter', 'a test counter', ['target']);
    m.inc('test_total', { target: HOOK });
    m.inc('test_total', { target: `password ${SECRETS.clickhouse}` });
    m.healthy = async () => ({ ok: false, detail: { store: { error: `connect to ${STORE_URL} failed`, key: SECRETS.s3 }, sources: [{ name: 'eh', error: SECRETS.sasl }] } });
    const server = await m.listen('127.0.0.1:0');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('test_total{target="***"} 1');
      expectNoSecret(metrics, '/metrics');
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expectNoSecret(await health.text(), '/healthz');
    } finally { server.close(); }
  });
});
