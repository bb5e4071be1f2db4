/**
 * Typed reads of one item of a parsed JSON/YAML document. Failures are
 * ItemProblems that say which field and what it held, so a problem line reads
 * "Vpcs[2] (vpc-0abc): CidrBlock is a number, expected a string".
 */
import type { IpamAttribute } from '../ipam-record.js';
import { ItemProblem } from './read-result.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new ItemProblem(`${what} is ${describe(value)}, expected an object`);
  return value;
}

/** Missing, null and "" all mean "not set": cloud CLIs print all three for the same thing. */
export function optString(obj: JsonObject, key: string, what = key): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ItemProblem(`${what} is ${describe(value)}, expected a string`);
  return value;
}

export function reqString(obj: JsonObject, key: string, what = key): string {
  const value = optString(obj, key, what);
  if (value === undefined) throw new ItemProblem(`${what} is missing`);
  return value;
}

export function optArray(obj: JsonObject, key: string, what = key): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ItemProblem(`${what} is ${describe(value)}, expected an array`);
  return value;
}

export function optObject(obj: JsonObject, key: string, what = key): JsonObject | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return asObject(value, what);
}

/** Drops unset attributes so golden files and equality checks do not see `key: undefined`. */
export function compact(attrs: Partial<Record<IpamAttribute, string | undefined>>): Partial<Record<IpamAttribute, string>> {
  const out: Partial<Record<IpamAttribute, string>> = {};
  for (const [key, value] of Object.entries(attrs) as [IpamAttribute, string | undefined][]) if (value !== undefined) out[key] = value;
  return out;
}
