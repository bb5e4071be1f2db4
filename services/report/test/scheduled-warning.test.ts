/**
 * A scheduled report over a window without flows still goes out, marked:
 * the webhook message leads with NO DATA and report.delivered is a warning
 * carrying the status and the alert.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportsSchema } from '../../../schemas/reports.js';
import { withStore } from '../../../test/temp-store.js';
import { InFlightJobs, scheduleReports } from '../../run/schedules.js';
import { logLevel, setLogLevel, setLogSink } from '../../telemetry/log.js';
import { webhookServer } from './webhook-server.js';

let lines: Record<string, unknown>[] = [];
let restore: ReturnType<typeof setLogSink>;
const level = logLevel();
beforeEach(() => { lines = []; restore = setLogSink((l) => lines.push(JSON.parse(l) as Record<string, unknown>)); setLogLevel('info'); });
afterEach(() => { setLogSink(restore); setLogLevel(level); });

describe('scheduled report over missing data', () => {
  it('posts a message that starts with NO DATA and logs report.delivered as a warning', { timeout: 60_000 }, async () => {
    const hook = await webhookServer([200]);
    process.env.FLOWLOG_TEST_REPORT_HOOK = hook.url('/hook');
    try {
      await withStore(async (store) => {
        const reports = reportsSchema.parse([{ name: 'daily', cron: '0 7 * * *', since: '24h', deliver: [{ webhook: { url: { env: 'FLOWLOG_TEST_REPORT_HOOK' } } }] }]);
        const crons = scheduleReports(store, reports, undefined, new InFlightJobs());
        try { await crons[0]!.trigger(); } finally { for (const c of crons) c.stop(); }
      });
      expect(hook.received).toHaveLength(1);
      const body = hook.received[0]!.body as { text: string; blocks: { text?: { text: string } }[] };
      expect(body.text).toMatch(/^NO DATA: /);
      expect(body.blocks[1]!.text!.text).toMatch(/^⛔ \*NO DATA\*: no flows were stored/);
      const delivered = lines.filter((l) => l.event === 'report.delivered');
      expect(delivered).toEqual([expect.objectContaining({ level: 'warn', report: 'daily', data: 'none', alert: expect.stringMatching(/^NO DATA/) })]);
    } finally {
      delete process.env.FLOWLOG_TEST_REPORT_HOOK;
      await hook.close();
    }
  });
});
