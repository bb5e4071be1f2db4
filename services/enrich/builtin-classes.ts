/**
 * Address classes every flow gets without any configuration (RFC 6890 and
 * friends). `public` covers everything else, as the least specific prefix,
 * so every address resolves to some class and egress can be decided for
 * addresses no IPAM source knows.
 */
import type { IpamRecord } from './ipam-record.js';

export type AddressClass = 'private' | 'cgnat' | 'link-local' | 'loopback' | 'multicast' | 'documentation' | 'reserved' | 'public';

/** Classes that mean "ours" even when no IPAM source lists the address. */
export const INTERNAL_CLASSES: ReadonlySet<string> = new Set<AddressClass>(['private', 'cgnat', 'link-local', 'loopback']);

const RANGES: [string, AddressClass][] = [
  ['0.0.0.0/0', 'public'],
  ['::/0', 'public'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['fc00::/7', 'private'], // unique local addresses
  ['100.64.0.0/10', 'cgnat'],
  ['169.254.0.0/16', 'link-local'],
  ['fe80::/10', 'link-local'],
  ['127.0.0.0/8', 'loopback'],
  ['::1/128', 'loopback'],
  ['224.0.0.0/4', 'multicast'],
  ['ff00::/8', 'multicast'],
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['2001:db8::/32', 'documentation'],
  ['0.0.0.0/8', 'reserved'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'reserved'],
  ['::/128', 'reserved'],
];

export function builtinClassRecords(): IpamRecord[] {
  return RANGES.map(([cidr, cls]) => ({ cidr, source: 'builtin', origin: 'built-in address classes', attrs: { class: cls } }));
}
