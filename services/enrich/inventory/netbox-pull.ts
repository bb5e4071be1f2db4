/**
 * Pulls every page of a NetBox list endpoint and reads it with readNetbox.
 * Errors say what to fix (token, URL) because this runs unattended at reload
 * time and the message is all an operator will see.
 */
import { IpamSourceError } from '../ipam-record.js';
import { isNetboxPage, readNetbox, type NetboxReadOptions } from './netbox.js';
import type { IpamReadResult } from './read-result.js';

export interface NetboxPullOptions extends NetboxReadOptions {
  fetchImpl?: typeof fetch;
}

/**
 * `url` is a list endpoint such as https://netbox.example.com/api/ipam/prefixes/
 * (filters in its query are kept); limit=1000 is added unless given.
 */
export async function pullNetbox(url: string, token: string, fetchImpl?: typeof fetch): Promise<IpamReadResult>;
export async function pullNetbox(url: string, token: string, opts?: NetboxPullOptions): Promise<IpamReadResult>;
export async function pullNetbox(url: string, token: string, third: typeof fetch | NetboxPullOptions = {}): Promise<IpamReadResult> {
  const opts: NetboxPullOptions = typeof third === 'function' ? { fetchImpl: third } : third;
  const fetchImpl = opts.fetchImpl ?? fetch;
  let start: URL;
  try { start = new URL(url); } catch { throw new IpamSourceError(url, 'is not a URL (expected e.g. https://netbox.example.com/api/ipam/prefixes/)'); }
  if (!start.searchParams.has('limit')) start.searchParams.set('limit', '1000');
  const origin = `${start.origin}${start.pathname}`;
  // NetBox 4.5+ v2 tokens ("nbt_<key>.<secret>") use Bearer; v1 tokens use "Token"
  const authorization = token.startsWith('nbt_') ? `Bearer ${token}` : `Token ${token}`;
  const result: IpamReadResult = { records: [], problems: [] };
  const visited = new Set<string>();
  let next: URL | undefined = start;
  while (next) {
    const page: URL = next;
    if (visited.has(page.href)) throw new IpamSourceError(origin, `"next" points back to ${page.href}, a page already read: stopping instead of looping`);
    visited.add(page.href);
    const json = await getJson(fetchImpl, page, authorization, origin);
    const read = readNetbox(json, origin, opts);
    result.records.push(...read.records);
    result.problems.push(...read.problems);
    if (read.invalid) (result.invalid ??= []).push(...read.invalid);
    next = nextPage((json as { next?: unknown }).next, page, start, origin);
  }
  return result;
}

async function getJson(fetchImpl: typeof fetch, page: URL, authorization: string, origin: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchImpl(page, { headers: { Authorization: authorization, Accept: 'application/json' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new IpamSourceError(origin, `cannot reach NetBox at ${page.host}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const body = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new IpamSourceError(origin, `NetBox refused the token (HTTP ${res.status}${detail(body)}): check that the API token is valid, not expired, and allowed to read this endpoint`);
  }
  if (res.status === 404) {
    throw new IpamSourceError(origin, `HTTP 404 for ${page.pathname}: no such NetBox API endpoint (expected e.g. /api/ipam/prefixes/ or /api/ipam/ip-addresses/)`);
  }
  if (!res.ok) throw new IpamSourceError(origin, `HTTP ${res.status} ${res.statusText}${detail(body)} for ${page.href}`);
  let json: unknown;
  try { json = JSON.parse(body); } catch {
    const type = res.headers.get('content-type') ?? 'no content type';
    throw new IpamSourceError(origin, `answered ${type}, not JSON (starts ${JSON.stringify(body.slice(0, 60))}): is this the API URL (…/api/ipam/…) rather than the web UI or a login page?`);
  }
  if (!isNetboxPage(json)) throw new IpamSourceError(origin, `${page.href} is JSON but not a list page ({count, next, results}): use a list endpoint, not a single object`);
  return json;
}

/** NetBox's error body is {"detail": "..."}; shown when present, never the whole body. */
function detail(body: string): string {
  try {
    const d = (JSON.parse(body) as { detail?: unknown }).detail;
    return typeof d === 'string' ? `: ${d}` : '';
  } catch { return ''; }
}

/**
 * The next page, refusing any origin (scheme, host, port) other than the one
 * configured: the token must not travel elsewhere, not even to another port
 * of the same host. Behind a TLS-terminating proxy NetBox often writes
 * http:// next links for the same host; those (on the default port or the
 * configured one) are followed over https at the configured origin.
 */
function nextPage(value: unknown, page: URL, start: URL, origin: string): URL | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new IpamSourceError(origin, `"next" of ${page.href} is not a URL`);
  let url: URL;
  try { url = new URL(value, page); } catch { throw new IpamSourceError(origin, `"next" of ${page.href} is not a URL`); }
  if (start.protocol === 'https:' && url.protocol === 'http:' && url.hostname === start.hostname && (url.port === '' || url.port === start.port)) {
    url.protocol = 'https:';
    url.port = start.port;
  }
  if (url.origin !== start.origin) {
    throw new IpamSourceError(origin, `"next" link ${url.href} leaves ${start.host}: not sending the token there (another origin than ${start.origin}; NetBox builds next links from the Host and X-Forwarded-* headers: check its reverse proxy)`);
  }
  return url;
}
