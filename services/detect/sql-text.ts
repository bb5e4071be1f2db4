import { chTime } from '../store/ch-time.js';

/** Values written into a finding's ready-to-run SQL (for a person to paste), quoted the ClickHouse way. */
export const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const sqlTime = (d: Date): string => `toDateTime64(${sqlString(chTime(d))}, 3, 'UTC')`;
export { chTime };

/**
 * A start_time window on flows, with the hour bucket in the sort key's own
 * form: the engine prunes granules on toStartOfHour(start_time) only when the
 * condition is written that way (measured with EXPLAIN indexes = 1).
 */
export const flowWindow = (from: string, to: string): string =>
  `toStartOfHour(start_time) >= toStartOfHour({${from}:DateTime64(3)}) AND toStartOfHour(start_time) <= toStartOfHour({${to}:DateTime64(3)}) AND start_time >= {${from}:DateTime64(3)} AND start_time < {${to}:DateTime64(3)}`;
