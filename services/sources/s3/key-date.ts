/**
 * The day an object's key says it holds, for time-range backfills: AWS's
 * `AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{mm}/{dd}/`, the Hive-style
 * `.../year=YYYY/month=MM/day=DD/[hour=HH/]` layout (Parquet delivery), and
 * Azure's `.../y=YYYY/m=MM/d=DD/h=HH/`.
 */
const AWS = /\/vpcflowlogs\/[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\//;
const HIVE = /(?:^|\/)year=(\d{4})\/month=(\d{1,2})\/day=(\d{1,2})\/(?:hour=(\d{1,2})\/)?/;
const AZURE = /\/y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\//;

/** Start (UTC) of the day, or hour when the key has one; null when the key carries no date. */
export function keyTime(key: string): Date | null {
  const m = AWS.exec(key) ?? HIVE.exec(key) ?? AZURE.exec(key);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), m[4] !== undefined ? Number(m[4]) : 0);
  return Number.isNaN(t) ? null : new Date(t);
}

/** Does a key whose date is `t` (day or hour granularity) overlap [from, to)? */
export function inRange(key: string, t: Date, from?: Date, to?: Date): boolean {
  const span = /(?:hour=|\/h=)\d/.test(key) ? 3600_000 : 86_400_000;
  if (from && t.getTime() + span <= from.getTime()) return false;
  if (to && t.getTime() >= to.getTime()) return false;
  return true;
}

const AWS_REGION_PREFIX = /^(.*AWSLogs\/\d{12}\/vpcflowlogs\/[a-z0-9-]+\/)$/;

/** A prefix that ends at the region of the AWS layout: below it, one folder per day. */
export const listsByDay = (prefix: string): boolean => AWS_REGION_PREFIX.test(prefix);

/**
 * For a prefix that ends at the region of the AWS layout, the per-day prefixes
 * covering [from, to): listing those is far cheaper than listing years of logs.
 * null when the prefix is not of that shape (then the whole prefix is listed and filtered).
 */
export function dayPrefixes(prefix: string, from?: Date, to?: Date): string[] | null {
  if (!from || !listsByDay(prefix)) return null;
  const end = to ?? new Date();
  const out: string[] = [];
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (d < end && out.length < 3660) {
    out.push(`${prefix}${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}
