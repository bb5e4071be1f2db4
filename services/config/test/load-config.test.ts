import { describe, expect, it } from 'vitest';
import { parseConfig, readSecret } from '../load-config.js';

const GOOD = `
store: { kind: clickhouse, url: "https://ch.example:8443", user: flowlog, password: { env: CH_PASSWORD } }
sources:
  - kind: kafka
    name: eventhubs
    brokers: ["ns.servicebus.windows.net:9093"]
    topics: [nsg-flows]
    tls: { enabled: true }
    sasl: { mechanism: plain, username: "$ConnectionString", password: { file: /run/secrets/eh } }
  - kind: s3
    name: backfill
    uri: s3://logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/
    from: 2026-11-01
    mode: poll
    poll_interval: 5m
metrics: { listen: "127.0.0.1:9464" }
`;

describe('configuration', () => {
  it('accepts a full config and fills defaults', () => {
    const c = parseConfig(GOOD);
    expect(c.store.kind).toBe('clickhouse');
    const k = c.sources[0]!;
    expect(k.kind === 'kafka' && k.group_id).toBe('flowlog');
    expect(k.kind === 'kafka' && k.session_timeout).toBe('30s');
    const s = c.sources[1]!;
    expect(s.kind === 's3' && s.from?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('reports every problem at once, naming the key, the value and what is allowed, never a secret', () => {
    let msg = '';
    try {
      parseConfig(`
store: { kind: clickhous }
sources:
  - { kind: kafka, name: x, brokers: [localhost], topics: [], sasl: { mechanism: plain, username: u, password: hunter2 }, colour: blue }
  - { kind: s3, name: y, uri: "http://not-s3", poll_interval: 5 minutes }
`);
    } catch (e) { msg = (e as Error).message; }
    expect(msg).toContain('store.kind: got "clickhous"; expected one of "embedded", "clickhouse"');
    expect(msg).toContain('sources[0].brokers[0]: got "localhost"; expected host:port');
    expect(msg).toContain('sources[0].topics: got []; expected at least one topic');
    expect(msg).toContain('sources[0].sasl.password: got (hidden)');
    expect(msg).toContain('sources[0]: unknown key colour');
    expect(msg).toContain('sources[1].uri: got "http://not-s3"; expected s3://bucket/prefix');
    expect(msg).toContain('sources[1].poll_interval: got "5 minutes"; expected a duration like 500ms, 30s, 5m, 1h or 1d');
    expect(msg).not.toContain('hunter2');
  });

  it('reads secrets from the environment or a file, and says which is missing', () => {
    process.env.FLOWLOG_TEST_SECRET = 's3cret';
    expect(readSecret({ env: 'FLOWLOG_TEST_SECRET' }, 'x')).toBe('s3cret');
    expect(() => readSecret({ env: 'FLOWLOG_NOPE' }, 'store.password')).toThrow(/store\.password: environment variable FLOWLOG_NOPE is not set/);
    expect(() => readSecret({ file: '/no/such/secret' }, 'sasl')).toThrow(/secret file \/no\/such\/secret cannot be read/);
  });

  it('rejects YAML that does not parse, with the line', () => {
    expect(() => parseConfig('sources: [\n  - kind: local\n   bad')).toThrow(/not valid YAML/);
  });
});
