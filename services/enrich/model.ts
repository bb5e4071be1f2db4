/**
 * All IPAM sources merged into one resolved model: each distinct prefix once,
 * with every attribute decided, ready to compile into the hot-path lookup, to
 * write as a snapshot, and to check.
 *
 * - The same prefix from several sources: per attribute, the source first in
 *   SOURCE_ORDER wins; two sources setting different values is a conflict
 *   (reported by `flowlog ipam check`, never an error at ingest).
 * - A more specific prefix inherits every attribute it leaves unset from its
 *   enclosing prefix (computed parents-first).
 * - Owners follow the precedence in ownership.ts: the prefix's own owner, then
 *   the first matching rule, then the owner inherited from the enclosing prefix.
 * - An entry is internal when any organisation source (static, NetBox, cloud
 *   inventory) covers it, or its class is private/CGNAT/link-local/loopback.
 */
import { createHash } from 'node:crypto';
import { INTERNAL_CLASSES } from './builtin-classes.js';
import { IPAM_ATTRIBUTES, type InterfaceRecord, type IpamAttribute, type IpamRecord, type IpamSourceKind } from './ipam-record.js';
import { formatCidr, parseCidr } from './lookup/cidr.js';
import { compilePrefixTable, type PrefixTable } from './lookup/prefix-table.js';
import { OwnershipRules, type OwnershipRule } from './ownership.js';

/** Precedence between sources that describe the same prefix, highest first. */
export const SOURCE_ORDER: readonly IpamSourceKind[] = ['static', 'netbox', 'aws', 'azure', 'provider', 'builtin'];
const ORG_SOURCES: ReadonlySet<IpamSourceKind> = new Set(['static', 'netbox', 'aws', 'azure']);

export type Attrs = Partial<Record<IpamAttribute, string>>;

export interface ResolvedEntry {
  cidr: string;
  net: Uint8Array;
  len: number;
  attrs: Attrs;
  tags: Record<string, string>;
  internal: boolean;
  /** Covered by an organisation source (static, NetBox, cloud inventory), itself or through a parent. */
  org: boolean;
  /** Sources that list this exact prefix, in precedence order. */
  sources: IpamSourceKind[];
  origins: string[];
  /** Index of the enclosing entry, -1 at the top. */
  parent: number;
}

export type ProblemKind = 'invalid' | 'host-bits' | 'conflict' | 'duplicate' | 'shadowed' | 'unknown-owner' | 'no-owner' | 'source';
export interface IpamProblem { kind: ProblemKind; cidr?: string; message: string }

export interface IpamModel {
  entries: ResolvedEntry[];
  table: PrefixTable;
  problems: IpamProblem[];
  /** Content hash: equal inputs give equal versions, so an unchanged reload is a no-op. */
  version: string;
}

export interface ModelInput {
  records: IpamRecord[];
  interfaces?: InterfaceRecord[];
  rules?: OwnershipRule[];
  /** Known owners; with it, an owner outside the list is reported. */
  owners?: string[];
  /** Problems the readers found (skipped items), carried into the report. */
  problems?: IpamProblem[];
}

interface Group { net: Uint8Array; len: number; cidr: string; parts: IpamRecord[] }

export function buildModel(input: ModelInput): IpamModel {
  const problems: IpamProblem[] = [...(input.problems ?? [])];
  const all = [...input.records, ...(input.interfaces ?? []).flatMap(interfaceRecords)];
  const groups = new Map<string, Group>();
  for (const r of all) {
    const p = parseCidr(r.cidr);
    if ('error' in p) { problems.push({ kind: 'invalid', cidr: r.cidr, message: `${r.origin}: ${p.error}` }); continue; }
    const cidr = formatCidr(p.net, p.len);
    if (p.hostBitsSet) problems.push({ kind: 'host-bits', cidr: r.cidr, message: `${r.origin}: ${r.cidr} has host bits set; read as ${cidr}` });
    let g = groups.get(cidr);
    if (!g) groups.set(cidr, (g = { net: p.net, len: p.len, cidr, parts: [] }));
    g.parts.push(r);
  }
  const list = [...groups.values()];
  const own = list.map((g) => mergeGroup(g, problems));
  const table = compilePrefixTable(list.map((g, id) => ({ net: g.net, len: g.len, id })));
  const parent = table.parents;
  // parents before children: a prefix is shorter than anything it encloses
  const order = list.map((_, i) => i).sort((a, b) => list[a]!.len - list[b]!.len);
  const entries: ResolvedEntry[] = new Array(list.length);
  const rules = new OwnershipRules(input.rules ?? []);
  for (const i of order) {
    const g = list[i]!, o = own[i]!, p = parent[i]!;
    const up = p >= 0 ? entries[p]! : null;
    const attrs: Attrs = { ...(up?.attrs ?? {}), ...o.attrs };
    const tags = { ...(up?.tags ?? {}), ...o.tags };
    if (!o.attrs.owner) {
      // a rule speaks for what has no owner of its own; what it sets never overrides the entry's own data
      const rule = rules.match(attrs, tags);
      if (rule) Object.assign(attrs, rule.set ?? {}, o.attrs, { owner: rule.owner });
    }
    const org = o.org || Boolean(up?.org);
    entries[i] = {
      cidr: g.cidr, net: g.net, len: g.len, attrs, tags, sources: o.sources, origins: o.origins, parent: p,
      org, internal: org || INTERNAL_CLASSES.has(attrs.class ?? ''),
    };
  }
  checkEntries(entries, input.owners, problems);
  return { entries, table, problems, version: versionOf(entries) };
}

function interfaceRecords(i: InterfaceRecord): IpamRecord[] {
  return i.addresses.map((a) => ({
    cidr: a.includes('/') ? a : a.includes(':') ? `${a}/128` : `${a}/32`,
    source: i.source, origin: `${i.origin}#${i.id}`, attrs: { eni: i.id, ...i.attrs }, ...(i.tags ? { tags: i.tags } : {}),
  }));
}

function mergeGroup(g: Group, problems: IpamProblem[]) {
  const parts = [...g.parts].sort((a, b) => SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source));
  const attrs: Attrs = {}, from: Partial<Record<IpamAttribute, IpamRecord>> = {};
  const tags: Record<string, string> = {};
  for (const r of parts) {
    for (const k of IPAM_ATTRIBUTES) {
      const v = r.attrs[k];
      if (v === undefined || v === '') continue;
      const first = from[k];
      if (!first) { attrs[k] = v; from[k] = r; continue; }
      if (first.attrs[k] === v) continue;
      problems.push(first.source === r.source
        ? { kind: 'duplicate', cidr: g.cidr, message: `${k}: "${first.attrs[k]}" (${first.origin}) and "${v}" (${r.origin}) in the same source; the first is used` }
        : { kind: 'conflict', cidr: g.cidr, message: `${k}: "${first.attrs[k]}" from ${first.source} (${first.origin}) wins over "${v}" from ${r.source} (${r.origin})` });
    }
    for (const [k, v] of Object.entries(r.tags ?? {})) if (!(k in tags)) tags[k] = v;
  }
  return {
    attrs, tags,
    org: parts.some((r) => ORG_SOURCES.has(r.source)),
    sources: [...new Set(parts.map((r) => r.source))],
    origins: [...new Set(parts.map((r) => r.origin))],
  };
}

function checkEntries(entries: ResolvedEntry[], owners: string[] | undefined, problems: IpamProblem[]): void {
  const known = owners ? new Set(owners) : null;
  // shadowed: children that together cover every address of their parent, so the parent never matches
  const covered = new Map<number, bigint>();
  for (const e of entries) if (e.parent >= 0) covered.set(e.parent, (covered.get(e.parent) ?? 0n) + (1n << BigInt(128 - e.len)));
  entries.forEach((e, i) => {
    const c = covered.get(i);
    if (c !== undefined && c >= 1n << BigInt(128 - e.len) && !e.sources.includes('builtin')) {
      problems.push({ kind: 'shadowed', cidr: e.cidr, message: `every address of ${e.cidr} is in a more specific prefix: its own attributes never apply directly (${e.origins.join(', ')})` });
    }
    if (!e.org) return;
    const owner = e.attrs.owner;
    if (!owner) problems.push({ kind: 'no-owner', cidr: e.cidr, message: `no owner for ${e.cidr} (${e.origins.join(', ')}): add one in the IPAM file, a tag, or an ownership rule` });
    else if (known && !known.has(owner)) problems.push({ kind: 'unknown-owner', cidr: e.cidr, message: `owner "${owner}" of ${e.cidr} is not in enrich.owners (${e.origins.join(', ')})` });
  });
}

function versionOf(entries: ResolvedEntry[]): string {
  const h = createHash('sha256');
  for (const e of [...entries].sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0))) {
    h.update(e.cidr).update('\0').update(JSON.stringify(e.attrs)).update(JSON.stringify(e.tags)).update(e.internal ? '1' : '0').update('\n');
  }
  return h.digest('hex').slice(0, 16);
}
