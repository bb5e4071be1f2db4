/**
 * The one redaction rule for everything flowlog writes out: error messages,
 * log lines, `run --check`, `config print`, metric label values and /healthz.
 *
 * 1. A URL keeps scheme, host, port and path; its user, password, query and
 *    fragment become `***` (tokens live there).
 * 2. Every secret value flowlog knows of becomes `***` wherever it appears:
 *    secrets read through a `{ env: NAME }` / `{ file: PATH }` reference, the
 *    variables such a reference names, and the environment's own secret
 *    variables (CLICKHOUSE_PASSWORD, S3_SECRET_KEY, AWS_SECRET_ACCESS_KEY...).
 * 3. In a configuration document, the value of a secret-bearing key
 *    (password, secret_key, token, a webhook's url...) is hidden, unless it
 *    is a secret reference, which names a variable or file, not a value.
 *
 * It lives in telemetry because every layer that writes output (config,
 * store, sources, cli) already depends on telemetry, and telemetry on none
 * of them.
 */

export const REDACTED = '***';

/** Values shorter than this are not searched for: they would match ordinary words (documented in docs/security.md). */
export const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
/** Longest first, so a secret that contains another is replaced whole. */
let ordered: string[] = [];

/** Remembers a secret value: from now on it is redacted wherever it appears (also URL-encoded). */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const v0 = value.trim();
  // a URL-shaped secret (a webhook) also leaks in parts: its path (Slack's token) or its password without the rest
  const parts: string[] = [];
  if (URL.canParse(v0)) {
    const u = new URL(v0);
    parts.push(u.pathname, decodeURIComponent(u.password), ...[...u.searchParams.values()]);
  }
  for (const v of [value, v0, encodeURIComponent(v0), ...parts]) {
    if (v.length < MIN_SECRET_LENGTH || secrets.has(v)) continue;
    secrets.add(v);
  }
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void { secrets.clear(); ordered = []; }

/**
 * Environment variables whose values are secrets by their name. An access key
 * id (S3_ACCESS_KEY, AWS_ACCESS_KEY_ID) names an identity, like a user name:
 * it is not searched for, or a short one such as `flowlog` would blank the
 * word everywhere.
 */
const SECRET_ENV = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|WEBHOOK|CONN(ECTION)?_?STR/i;
/** Configuration keys whose secret reference names an identity, not a secret (see SECRET_ENV). */
const IDENTITY_KEY = /^access_?key$/i;

/** Registers the values of the environment's secret-named variables (CLICKHOUSE_PASSWORD, S3_SECRET_KEY, ...). */
export function registerSecretsFromEnv(env: Record<string, string | undefined> = process.env): void {
  for (const [name, v] of Object.entries(env)) if (SECRET_ENV.test(name) && !/_FILE$/i.test(name)) registerSecret(v);
}

// scheme://[userinfo@]host[path][?query][#fragment], up to a space, quote or bracket
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>`/?#]*@)?([^\s"'<>`/?#]*)([^\s"'<>`?#]*)(\?[^\s"'<>`#]*)?(#[^\s"'<>`]*)?/gi;

/** Text with every URL's userinfo, query and fragment, and every registered secret, replaced by `***`. */
export function redactText(s: string): string {
  let out = s;
  // known secrets first: a registered URL is found whole before its query is cut off
  for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out.includes('://') ? out.replace(URL_IN_TEXT, (_m, scheme: string, user: string | undefined, host: string, path: string, query: string | undefined, frag: string | undefined) =>
    `${scheme}${user ? `${REDACTED}@` : ''}${host}${path}${query ? `?${REDACTED}` : ''}${frag ? `#${REDACTED}` : ''}`) : out;
}

/** A URL (or any text) redacted: `https://***@ch.example:8443/db?***`. */
export const redactUrl = redactText;

/** A value with every string in it redacted (objects and arrays copied, errors as their message). */
export function redactDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v instanceof Error) return redactText(v.message);
  if (v instanceof Date || depth > 8) return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, depth + 1));
  // what JSON.stringify would write (a URL, a Buffer...), redacted
  if (v && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return redactDeep((v as { toJSON(): unknown }).toJSON(), depth + 1);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, depth + 1)]));
  return v;
}

const SECRET_KEY = /password|passwd|secret|token|credential|api_?key|access_?key|private_?key|conn(ection)?_?string/i;

/** Whether a secret reference under this key names an identity (an access key id) rather than a secret. */
export const isIdentityKey = (key: string): boolean => IDENTITY_KEY.test(key);

/** Whether a configuration key holds a secret value (a path: a webhook's url carries its token). */
export function isSecretKey(path: readonly (string | number)[]): boolean {
  const last = String(path[path.length - 1] ?? '');
  if (/_(file|env)$/i.test(last)) return false; // a path or a variable's name, not a value
  if (SECRET_KEY.test(last)) return true;
  return last === 'url' && path.some((p) => p === 'webhook');
}

/** `{ env: NAME }` or `{ file: PATH }`: names where a secret is, shown as written. */
export function isSecretRef(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'env' || keys[0] === 'file') && typeof (v as Record<string, unknown>)[keys[0]] === 'string';
}

/** A configuration value as it may be shown: secret-bearing keys hidden, the rest redacted (dates as ISO text, as a file writes them). */
export function redactConfig(v: unknown, path: readonly (string | number)[] = []): unknown {
  if (isSecretRef(v)) return v;
  if (v !== undefined && v !== null && isSecretKey(path)) return '(hidden)';
  if (typeof v === 'string') return redactText(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x, i) => redactConfig(x, [...path, i]));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactConfig(x, [...path, k])]));
  return v;
}

/** Registers what a configuration document's secret references point at in the environment (before anything reads them). */
export function registerReferencedSecrets(doc: unknown, env: Record<string, string | undefined>, depth = 0): void {
  if (!doc || typeof doc !== 'object' || depth > 12) return;
  if (isSecretRef(doc) && 'env' in doc) { registerSecret(env[(doc as { env: string }).env]); return; }
  for (const [k, x] of Object.entries(doc)) {
    if (IDENTITY_KEY.test(k)) continue;
    if (/_env$/i.test(k) && typeof x === 'string') registerSecret(env[x]);
    else registerReferencedSecrets(x, env, depth + 1);
  }
}
