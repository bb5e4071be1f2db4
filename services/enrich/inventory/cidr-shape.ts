/**
 * Shape checks only: readers keep CIDR text as written and another module
 * canonicalises it, but text that is not an address/length at all is caught
 * here so the problem names the item it came from; such a problem is of
 * kind `invalid` (a value no parser can read), not a problem of the source.
 */
import { isIP } from 'node:net';
import { describe } from './json-access.js';
import { ItemProblem } from './read-result.js';

/** A bare IPv4 or IPv6 address (no zone id: flow logs never carry one). */
export function isAddress(text: string): boolean {
  return !text.includes('%') && isIP(text) !== 0;
}

export function isCidrShape(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const len = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(len) || !isAddress(addr)) return false;
  return Number(len) <= (isIP(addr) === 4 ? 32 : 128);
}

/** The CIDR text, or an ItemProblem naming the field it came from. */
export function cidrOrProblem(text: string, field: string): string {
  if (!isCidrShape(text)) throw new ItemProblem(`${field} ${JSON.stringify(text)} is not an IPv4/IPv6 CIDR (address/length)`, 'invalid');
  return text;
}

/** Like cidrOrProblem for a value of unknown type (an element of a JSON list). */
export function cidrValue(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ItemProblem(`${field} is ${describe(value)}, expected a CIDR string`, 'invalid');
  return cidrOrProblem(value, field);
}

export function addressOrProblem(text: string, field: string): string {
  if (!isAddress(text)) throw new ItemProblem(`${field} ${JSON.stringify(text)} is not an IPv4/IPv6 address`, 'invalid');
  return text;
}

/** A single address as a host prefix: /32 for IPv4, /128 for IPv6. */
export function hostCidr(address: string): string {
  return `${address}/${isIP(address) === 4 ? 32 : 128}`;
}
