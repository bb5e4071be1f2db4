/**
 * A scheduled detector run that fails (the store refusing a query) is
 * counted with its code, shown failed, and tried again with backoff within the
 * same schedule: the retry that works shows it ok again.
 */
import { describe, expect, it } from 'vitest';
import { detectSchema } from '../../../schemas/detect.js';
import { withStore } from '../../../test/temp-store.js';
import { waitFor } from '../../../test/wait.js';
import { FlowlogError } from '../../core/errors.js';
import type { FlowStore } from '../../store/store.js';
import { standardMetrics } from '../../telemetry/metrics.js';
import { HealthBoard, reporter } from '../health.js';
import { InFlightJobs, scheduleDetectors } from '../schedules.js';

describe('detector supervision', () => {
  it('retries a failed run with backoff, counted and shown in health until it works', { timeout: 30_000 }, async () => {
    await withStore(async (store) => {
      let refusals = 1; // the first query of the first run fails
      const flaky = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'queryRows') {
            return (...args: Parameters<FlowStore['queryRows']>) => {
              if (refusals > 0) { refusals--; return Promise.reject(new FlowlogError('STORE_QUERY_FAILED', 'the store refused the query')); }
              return target.queryRows(...args);
            };
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }) as FlowStore;
      const metrics = standardMetrics();
      const board = new HealthBoard();
      const states: string[] = [];
      const health = reporter(board, 'detect');
      const watched = { ok: () => { health.ok(); states.push('ok'); }, failed: (e: unknown) => { health.failed(e); states.push('failed'); } };
      const jobs = new InFlightJobs();
      // once a minute: the retry, not the next schedule, is what makes it work again
      const crons = scheduleDetectors(flaky, detectSchema.parse({ schedule: '* * * * *', egress_schedule: '0 0 1 1 *', breach_schedule: '0 0 1 1 *' }), metrics, jobs, watched);
      try {
        void crons[0]!.trigger();
        await waitFor(() => states.includes('ok'), 'a detector run that works after the failed one', 20_000);
      } finally {
        for (const c of crons) c.stop();
        await jobs.settle();
      }
      expect(states).toEqual(['failed', 'ok']);
      expect(board.get('detect')!.state).toBe('ok');
      expect(await metrics.render()).toMatch(/^flowlog_errors_total\{component="detect",code="STORE_QUERY_FAILED"\} 1$/m);
    });
  });
});
