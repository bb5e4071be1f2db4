/**
 * Cloud tags to attributes through a TagKeyMap: teams spell "owner" five
 * ways, so the map lists candidate keys and the first one present wins.
 */
import type { IpamAttribute, TagKeyMap } from '../ipam-record.js';
import { ItemProblem } from './read-result.js';
import { isObject, describe } from './json-access.js';

export function attrsFromTags(tags: Record<string, string>, tagKeys: TagKeyMap): Partial<Record<IpamAttribute, string>> {
  const attrs: Partial<Record<IpamAttribute, string>> = {};
  for (const [attr, keys] of Object.entries(tagKeys) as [IpamAttribute, string[] | undefined][]) {
    const key = keys?.find((k) => (tags[k] ?? '').trim() !== '');
    if (key !== undefined) attrs[attr] = (tags[key] as string).trim();
  }
  return attrs;
}

/** AWS `[{Key, Value}]`; a missing list is no tags. */
export function awsTags(value: unknown, field = 'Tags'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new ItemProblem(`${field} is ${describe(value)}, expected an array of {Key, Value}`);
  const tags: Record<string, string> = {};
  value.forEach((tag, i) => {
    if (!isObject(tag) || typeof tag.Key !== 'string') throw new ItemProblem(`${field}[${i}] has no string Key`);
    tags[tag.Key] = typeof tag.Value === 'string' ? tag.Value : '';
  });
  return tags;
}

/** Azure `tags: {k: v}`; az prints null for an untagged resource. */
export function azureTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new ItemProblem(`tags is ${describe(value)}, expected an object`);
  const tags: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) tags[key] = typeof v === 'string' ? v : String(v ?? '');
  return tags;
}

/** Only set `tags` on a record when there are some, so records stay small and goldens readable. */
export function withTags<T extends object>(record: T, tags: Record<string, string>): T & { tags?: Record<string, string> } {
  return Object.keys(tags).length > 0 ? { ...record, tags } : record;
}
