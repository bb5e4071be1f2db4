import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { configCommand } from '../../cli/commands/config.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-print-'));
const SECRET = 'hunter2-do-not-print';
const f = join(dir, 'flowlog.yaml');
writeFileSync(f, `
store: { kind: clickhouse, url: "https://alice:${SECRET}@ch.example:8443/db?token=${SECRET}" }
sources:
  - { kind: kafka, name: eh, brokers: ["ns.example:9093"], topics: [flows], sasl: { mechanism: plain, username: "$ConnectionString", password: { env: EH_CONN } } }
reports:
  - cron: "0 7 * * *"
    deliver: [{ webhook: { url: { env: HOOK }, report_url: "https://reports.example/latest/report.html?sig=${SECRET}" } }]
`);

async function print(argv: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  try { expect(await configCommand(argv)).toBe(0); } finally { spy.mockRestore(); }
  return out;
}

afterEach(() => { vi.unstubAllEnvs(); });

describe('flowlog config print', () => {
  it('shows the merged configuration with secrets as references, URL credentials and queries redacted, and where overrides came from', async () => {
    vi.stubEnv('CLICKHOUSE_PASSWORD', SECRET);
    vi.stubEnv('EH_CONN', SECRET);
    vi.stubEnv('HOOK', `https://hooks.slack.com/services/${SECRET}`);
    vi.stubEnv('CLICKHOUSE_USER', 'bob');
    const yaml = await print(['print', '--config', f]);
    expect(yaml).not.toContain(SECRET);
    expect(yaml).toContain('#   store.password <- env:CLICKHOUSE_PASSWORD');
    const doc = parse(yaml) as { store: Record<string, unknown>; sources: { sasl: unknown; fetch: unknown }[] };
    expect(doc.store).toMatchObject({ url: 'https://***@ch.example:8443/db?***', user: 'bob', password: { env: 'CLICKHOUSE_PASSWORD' } });
    expect(doc.sources[0]!.sasl).toMatchObject({ password: { env: 'EH_CONN' } });
    expect(doc.sources[0]!.fetch).toEqual({ min_bytes: 1 << 20, max_bytes: 64 << 20, max_bytes_per_partition: 16 << 20, max_wait: '500ms' });

    const json = await print(['print', '--config', f, '--format', 'json', '--log-level', 'warn']);
    expect(json).not.toContain(SECRET);
    const j = JSON.parse(json) as { origins: Record<string, string>; config: { log: { level: string } } };
    expect(j.origins).toMatchObject({ 'store.user': 'env:CLICKHOUSE_USER', 'log.level': 'flag:--log-level' });
    expect(j.config.log.level).toBe('warn');
  });

  it('prints the JSON Schema', async () => {
    const s = JSON.parse(await print(['schema'])) as { properties: Record<string, unknown> };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['store', 'sources', 'batch', 'log', 'detect', 'reports', 'metrics']));
  });
});
