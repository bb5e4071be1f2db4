/**
 * What configuration output may show. Secret references are shown as written
 * (`{ env: NAME }` names a variable, not a value); a URL keeps scheme, host,
 * port and path, but not its user, password or query (tokens live there).
 */

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export function redactUrl(s: string): string {
  if (!URL_LIKE.test(s)) return s;
  let u: URL;
  try { u = new URL(s); } catch { return s; }
  if (!u.username && !u.password && !u.search) return s;
  const userinfo = u.username || u.password ? '***@' : '';
  return `${u.protocol}//${userinfo}${u.host}${u.pathname}${u.search ? '?***' : ''}`;
}

/** A copy of a configuration value with every URL redacted (dates as ISO text, as a file writes them). */
export function redactConfig(v: unknown): unknown {
  if (typeof v === 'string') return redactUrl(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(redactConfig);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactConfig(x)]));
  return v;
}
