/**
 * The values a saved query runs with: what the caller gave (checked against
 * the declared type here, because the engine silently wraps 70000 into a
 * UInt16), else the header's default. Defaults are SQL expressions from our
 * own files (`now() - INTERVAL 1 HOUR`), evaluated by the engine into values;
 * callers' values are only ever bound, never placed in SQL text.
 */
import { FlowlogError } from '../core/errors.js';
import type { FlowStore } from '../store/store.js';
import type { SavedParam, SavedQuery } from './saved-queries.js';
import { chTime } from '../store/ch-time.js';
import { readTime, TIME_FORMS } from './time-window.js';

const INT_RANGE: Record<string, [bigint, bigint]> = {
  uint8: [0n, 255n], uint16: [0n, 65535n], uint32: [0n, 4294967295n], uint64: [0n, 18446744073709551615n],
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-2147483648n, 2147483647n], int64: [-9223372036854775808n, 9223372036854775807n],
};

export const describeParam = (p: SavedParam): string => `${p.name}:${p.type}${p.default === null ? ' (required)' : ` = ${p.default}`}`;

/** A caller's text as the engine's parser wants it for this type. */
export function normalizeValue(p: SavedParam, raw: string, now = new Date()): string {
  const base = p.type.replace(/\(.*$/, '').toLowerCase();
  const bad = (why: string): never => {
    throw new FlowlogError('USAGE', `--param ${p.name}=${raw}: ${why}`, `${describeParam(p)}${p.description ? `: ${p.description}` : ''}`);
  };
  const range = INT_RANGE[base];
  if (range) {
    if (!/^-?\d+$/.test(raw.trim())) bad(`not an integer (${p.type})`);
    const v = BigInt(raw.trim());
    if (v < range[0] || v > range[1]) bad(`out of range for ${p.type} (${range[0]}..${range[1]})`);
    return v.toString();
  }
  if (base === 'datetime64' || base === 'datetime' || base === 'date') {
    const t = readTime(raw, now);
    if (!t.ok) return bad(`${t.why}: give ${TIME_FORMS}`);
    const text = chTime(t.date);
    return base === 'date' ? text.slice(0, 10) : base === 'datetime' ? text.slice(0, 19) : text;
  }
  return raw;
}

/** The caller's values, checked and normalized; throws USAGE for unknown names and missing required ones. */
export function checkGiven(q: SavedQuery, given: Record<string, string>, now = new Date()): Record<string, string> {
  const unknown = Object.keys(given).filter((k) => !q.params.some((p) => p.name === k));
  if (unknown.length) {
    throw new FlowlogError('USAGE', `saved query ${q.name} has no parameter ${unknown.join(', ')}`,
      q.params.length ? `its parameters: ${q.params.map(describeParam).join(', ')}` : 'it takes no parameters');
  }
  const missing = q.params.filter((p) => p.default === null && !(p.name in given));
  if (missing.length) {
    throw new FlowlogError('USAGE', `saved query ${q.name} needs ${missing.map((p) => p.name).join(', ')}`,
      missing.map((p) => `--param ${p.name}=...  (${p.type}${p.description ? `: ${p.description}` : ''})`).join('; '));
  }
  const out: Record<string, string> = {};
  for (const p of q.params) if (p.name in given) out[p.name] = normalizeValue(p, given[p.name]!, now);
  return out;
}

/** Given values checked, defaults evaluated: the object to bind. */
export async function resolveParams(store: FlowStore, q: SavedQuery, given: Record<string, string>, now = new Date()): Promise<Record<string, string>> {
  const out = checkGiven(q, given, now);
  const defaults = q.params.filter((p) => !(p.name in given));
  if (defaults.length) {
    // header text, not caller text: the one place SQL is assembled from pieces
    const sql = `SELECT ${defaults.map((p, i) => `toString(CAST((${p.default}) AS ${p.type})) AS p${i}`).join(', ')}`;
    const row = (await store.queryRows<Record<string, string>>(sql))[0]!;
    defaults.forEach((p, i) => { out[p.name] = String(row[`p${i}`]); });
  }
  return out;
}
