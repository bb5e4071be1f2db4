/** Reference text form of an address for tests: WHATWG URL's IPv6 serializer (RFC 5952 compression), IPv4-mapped shown dotted as flowlog does. */
import { isIPv4 } from 'node:net';

export function referenceIpText(a: string): string {
  if (isIPv4(a)) return a;
  const host = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!m) return host;
  const hi = parseInt(m[1]!, 16), lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
