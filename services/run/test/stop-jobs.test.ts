/**
 * A run stopping while a scheduled report hangs on its webhook: stop() aborts
 * the post and waits for the job, so shutdown.done is the last thing logged
 * and nothing is left holding the process open.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolve.js';
import { setLogSink } from '../../telemetry/log.js';
import { hangingWebhookServer } from '../../report/test/webhook-server.js';
import { runConfigured } from '../runner.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-stop-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stop() and scheduled jobs', () => {
  it('aborts a hanging webhook post and logs shutdown.done after the report job ended', async () => {
    const hook = await hangingWebhookServer();
    const lines: string[] = [];
    const previous = setLogSink((line) => { lines.push(line); });
    try {
      mkdirSync(join(dir, 'logs'));
      process.env.FLOWLOG_TEST_HOOK = hook.url('/services/T000/B000/secret');
      const file = join(dir, 'flowlog.yaml');
      writeFileSync(file, [
        'store: { kind: embedded, data_dir: store }',
        'sources: [ { kind: local, name: files, path: logs } ]',
        'reports: [ { name: hourly, cron: "* * * * * *", since: 1h, deliver: [ { webhook: { url: { env: FLOWLOG_TEST_HOOK } } } ] } ]',
      ].join('\n'));
      const running = await runConfigured(resolveConfig({ file, env: { FLOWLOG_DATA_DIR: join(dir, 'store') } }), dir);
      while (hook.posts() === 0) await new Promise((r) => setTimeout(r, 50)); // the report is posting, and the hook never answers
      await running.stop();
      const events = lines.map((l) => (JSON.parse(l) as { event: string }).event);
      expect(events.at(-1)).toBe('shutdown.done');
      expect(events.indexOf('report.failed')).toBeGreaterThan(events.indexOf('shutdown.started'));
      expect(events.indexOf('report.failed')).toBeLessThan(events.indexOf('shutdown.done'));
      expect(lines.find((l) => l.includes('"report.failed"'))).toContain('flowlog is stopping');
      // the connection is closed by us (the server sees it go), not left for the 10 s timeout and its retries
      while (hook.abandoned() < hook.posts()) await new Promise((r) => setTimeout(r, 20));
    } finally {
      setLogSink(previous);
      delete process.env.FLOWLOG_TEST_HOOK;
      await hook.close();
    }
  });
});
