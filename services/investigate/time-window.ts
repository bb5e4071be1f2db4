/**
 * Times as people type them at an incident: a duration back ("90m", "2h",
 * "7d") or an ISO 8601 instant. Times without a zone are UTC, like every
 * time the store holds.
 */
import { FlowlogError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export function parseTime(raw: string, now: Date): Date | null {
  const s = raw.trim();
  if (s === 'now') return now;
  const d = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(s);
  if (d) return new Date(now.getTime() - Number(d[1]) * UNIT_MS[d[2]!]!);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(s)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(s) || s.length === 10 ? s : `${s}Z`;
  const t = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(t) ? null : new Date(t);
}

export interface TimeWindow { since: Date; until: Date }

export function resolveWindow(since: string | undefined, until: string | undefined, now = new Date()): TimeWindow {
  const u = until === undefined ? now : parseTime(until, now);
  const hint = 'give ISO 8601 (2026-11-24T10:00:00Z, UTC without a zone) or a duration back (90m, 2h, 7d): --since from --until, --until from now';
  if (!u) throw new FlowlogError('USAGE', `--until "${until}" is not a time`, hint);
  // a duration in --since counts back from --until: "--until 10:00Z --since 2h" is 08:00 to 10:00
  const s = parseTime(since ?? '2h', u);
  if (!s) throw new FlowlogError('USAGE', `--since "${since}" is not a time`, hint);
  if (s.getTime() >= u.getTime()) throw new FlowlogError('USAGE', `--since ${s.toISOString()} is not before --until ${u.toISOString()}`, 'widen the window');
  return { since: s, until: u };
}

/** The engine's UTC text (2026-11-24 10:00:00.000) as ISO 8601, the form JSON consumers parse. */
export const isoFromCh = (s: string): string => `${s.replace(' ', 'T')}Z`;

/** The text a bound DateTime64(3, 'UTC') parameter takes. */
export { chTime } from '../store/ch-time.js';
