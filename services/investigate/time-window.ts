/**
 * Times as people type them at an incident: a duration back ("90m", "2h",
 * "7d") or an ISO 8601 instant. Times without a zone are UTC, like every
 * time the store holds.
 */
import { FlowlogError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** The instants the store's DateTime64(3) columns hold: a time outside them is a typo, not a question. */
export const TIME_RANGE = { min: Date.UTC(1900, 0, 1), max: Date.UTC(2299, 11, 31, 23, 59, 59, 999) };
export const TIME_RANGE_TEXT = 'times from 1900-01-01 to 2299-12-31 UTC';

export type TimeRead = { ok: true; date: Date } | { ok: false; why: string };

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A date (`Invalid Date` included) checked against the store's range. */
export function inTimeRange(d: Date): TimeRead {
  const t = d.getTime();
  if (Number.isNaN(t) || t < TIME_RANGE.min || t > TIME_RANGE.max) return { ok: false, why: `out of range: ${TIME_RANGE_TEXT}` };
  return { ok: true, date: d };
}

/** An ISO 8601 instant only (times without a zone are UTC), within the store's range. */
export function readIsoTime(raw: string): TimeRead {
  const s = raw.trim();
  if (!ISO.test(s)) return { ok: false, why: 'not a time' };
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(s) || s.length === 10 ? s : `${s}Z`;
  const t = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(t) ? { ok: false, why: 'not a time' } : inTimeRange(new Date(t));
}

/** `now`, a duration back from `now` (90m, 2h, 7d, 1w) or an ISO instant; why not ("not a time", "out of range: ..."), when it is none of them or out of range. */
/** What readTime takes, in words: every hint about a time says it this way. */
export const TIME_FORMS = 'ISO 8601 (2026-11-24T10:00:00Z, UTC without a zone), now, or a duration back (30s, 90m, 2h, 7d, 1w)';

export function readTime(raw: string, now: Date): TimeRead {
  const s = raw.trim();
  if (s === 'now') return inTimeRange(now);
  const d = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(s);
  // a duration of twenty digits is a number, but no time: it lands outside the range, not in a RangeError
  if (d) return inTimeRange(new Date(now.getTime() - Number(d[1]) * UNIT_MS[d[2]!]!));
  return readIsoTime(s);
}

export interface TimeWindow { since: Date; until: Date }

export function resolveWindow(since: string | undefined, until: string | undefined, now = new Date()): TimeWindow {
  const hint = `give ${TIME_FORMS}: --since counts back from --until, --until from now`;
  const u = until === undefined ? inTimeRange(now) : readTime(until, now);
  if (!u.ok) throw new FlowlogError('USAGE', `--until "${until}" is ${u.why}`, hint);
  // a duration in --since counts back from --until: "--until 10:00Z --since 2h" is 08:00 to 10:00
  const s = readTime(since ?? '2h', u.date);
  if (!s.ok) throw new FlowlogError('USAGE', `--since "${since}" is ${s.why}`, hint);
  if (s.date.getTime() >= u.date.getTime()) throw new FlowlogError('USAGE', `--since ${s.date.toISOString()} is not before --until ${u.date.toISOString()}`, 'widen the window');
  return { since: s.date, until: u.date };
}

/** The engine's UTC text (2026-11-24 10:00:00.000) as ISO 8601, the form JSON consumers parse. */
export const isoFromCh = (s: string): string => `${s.replace(' ', 'T')}Z`;

/** The text a bound DateTime64(3, 'UTC') parameter takes. */
export { chTime } from '../store/ch-time.js';
