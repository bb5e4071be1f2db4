/** From the `detect:` config to the detectors' parameters. */
import type { DetectConfig } from '../../schemas/detect.js';
import { durationMs } from '../../schemas/common.js';
import type { DetectSettings } from './run-detectors.js';

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function detectSettings(c: DetectConfig): DetectSettings {
  return {
    disabled: c.disabled,
    egress: defined({ kinds: c.egress.kinds, windowHours: c.egress.window_hours, maxFactor: c.egress.max_factor, minBytes: c.egress.min_bytes,
      threshold: c.egress.threshold, minRatio: c.egress.min_ratio, persistence: c.egress.persistence, rampHours: c.egress.ramp_hours,
      rampZ: c.egress.ramp_z, rampMinBytes: c.egress.ramp_min_bytes, rampGrowth: c.egress.ramp_growth, rampTrend: c.egress.ramp_trend,
      coldStartHours: c.egress.cold_start_hours, coldStartFactor: c.egress.cold_start_factor, groupShare: c.egress.group_share }),
    novelty: defined({ windowMinutes: c.novelty.window_minutes, historyDays: c.novelty.history_days, minHistoryHours: c.novelty.min_history_hours, newDestMinBytes: c.novelty.new_dest_min_bytes, newPortMinFlows: c.novelty.new_port_min_flows }),
    scan: defined({ windowMinutes: c.scan.window_minutes, minPorts: c.scan.min_ports, minHosts: c.scan.min_hosts, minDeniedShare: c.scan.min_denied_share }),
    resolveAfterMs: durationMs(c.resolve_after),
    suppressions: c.suppress.map((s) => ({ ...s })),
  };
}
