/**
 * Which segment each address falls in, decided once per IPAM version instead
 * of once per flow:
 *  - attribute segments: every IPAM entry is tested against the segments in
 *    file order, giving an array entry id -> segment id;
 *  - CIDR segments: their prefixes go into a prefix table of their own, and
 *    every prefix id maps to the first segment (in file order) among all the
 *    CIDRs that contain it, so one longest-prefix lookup answers "first in
 *    order" even when CIDRs of several segments nest.
 * A side's segment is the smaller of the two ids: file order decides between
 * the two kinds as it does within each.
 *
 * Both arrays are indexed by id + 1, slot 0 holding "unsegmented", so the
 * hot path reads a lookup miss (-1) without a branch.
 */
import type { SegmentDef } from '../../../schemas/policy.js';
import type { IpamModel, ResolvedEntry } from '../model.js';
import { parseCidr } from '../lookup/cidr.js';
import { compilePrefixTable, type PrefixTable } from '../lookup/prefix-table.js';

type AttributeSegment = Extract<SegmentDef, { kind: 'attributes' }>;

interface Matcher { attrs: [string, ReadonlySet<string>][]; tags: [string, ReadonlySet<string>][]; internal: boolean | null }

function matcher(s: AttributeSegment): Matcher {
  const attrs: Matcher['attrs'] = [], tags: Matcher['tags'] = [];
  for (const [k, vs] of Object.entries(s.match)) {
    if (k.startsWith('tags.')) tags.push([k.slice(5), new Set(vs)]);
    else attrs.push([k, new Set(vs)]);
  }
  return { attrs, tags, internal: s.internal };
}

function matches(m: Matcher, e: ResolvedEntry): boolean {
  if (m.internal !== null && e.internal !== m.internal) return false;
  for (const [k, vs] of m.attrs) {
    const v = e.attrs[k as keyof ResolvedEntry['attrs']];
    if (v === undefined || !vs.has(v)) return false;
  }
  for (const [k, vs] of m.tags) {
    const v = e.tags[k];
    if (v === undefined || !vs.has(v)) return false;
  }
  return true;
}

/** Every attribute (and tags.<key>) must hold, a list meaning any of its values; `internal` when given too. */
export function segmentMatcher(s: AttributeSegment): (e: ResolvedEntry) => boolean {
  const m = matcher(s);
  return (e) => matches(m, e);
}

/** out[id + 1] = segment id of IPAM entry id (the first attribute segment it matches), out[0] = unsegmented. */
export function entrySegments(segments: readonly SegmentDef[], model: IpamModel, unsegmented: number): Int32Array {
  const ms = segments.map((s, id) => (s.kind === 'attributes' ? { id, m: matcher(s) } : null)).filter((x) => x !== null);
  const out = new Int32Array(model.entries.length + 1).fill(unsegmented);
  model.entries.forEach((e, i) => {
    for (const { id, m } of ms) if (matches(m, e)) { out[i + 1] = id; return; }
  });
  return out;
}

export interface CidrPrefix { cidr: string; net: Uint8Array; len: number; segment: number }

export interface CidrSegments {
  /** null when the policy has no CIDR segment: the hot path then skips the lookup. */
  table: PrefixTable | null;
  /** segment[id + 1] = first segment among the CIDRs containing prefix id; segment[0] = unsegmented. */
  segment: Int32Array;
  /** Prefix id -> its CIDR and own segment (explain shows which one decided). */
  prefixes: CidrPrefix[];
}

export function compileCidrSegments(segments: readonly SegmentDef[], unsegmented: number): CidrSegments {
  const prefixes: CidrPrefix[] = [];
  segments.forEach((s, segment) => {
    if (s.kind !== 'cidrs') return;
    for (const cidr of s.cidrs) {
      const p = parseCidr(cidr);
      if (!p.ok) throw new Error(`segment ${s.name}: ${p.error}`); // the schema has checked every CIDR
      prefixes.push({ cidr, net: p.net, len: p.len, segment });
    }
  });
  const segment = new Int32Array(prefixes.length + 1).fill(unsegmented);
  if (prefixes.length === 0) return { table: null, segment, prefixes };
  const table = compilePrefixTable(prefixes.map((p, id) => ({ net: p.net, len: p.len, id })));
  // enclosing prefixes first (shorter; an identical prefix's parent is the earlier id), so each takes the min along its chain
  const order = prefixes.map((_, i) => i).sort((a, b) => prefixes[a]!.len - prefixes[b]!.len || a - b);
  for (const id of order) {
    const up = table.parents[id]!;
    const own = prefixes[id]!.segment;
    segment[id + 1] = up >= 0 ? Math.min(own, segment[up + 1]!) : own;
  }
  return { table, segment, prefixes };
}

/** True when the first `len` bits of a and b (16 bytes each) are equal. */
export function samePrefix(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const whole = len >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = len & 7;
  if (rest === 0) return true;
  const mask = (0xff00 >> rest) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}
