/**
 * Ownership rules: who owns an address, by the cloud scope it sits in.
 * Precedence (documented in the README): an owner the prefix has of its own
 * (static IPAM file, NetBox tenant, the Owner/Team tag of that very VPC,
 * subnet or interface) wins; else the first matching rule, by ENI, subnet,
 * VPC/VNet, account/subscription, then tag; else the owner inherited from the
 * enclosing prefix.
 */
import type { IpamAttribute } from './ipam-record.js';

export interface OwnershipRule {
  eni?: string; subnet?: string; vpc?: string; account?: string;
  tag?: { key: string; value: string };
  owner: string;
  /** Other attributes a rule may set on what it matches (e.g. env, segment, service). */
  set?: Partial<Record<IpamAttribute, string>>;
}

const SCOPES = ['eni', 'subnet', 'vpc', 'account'] as const;

/** Rules indexed by scope, so matching an entry is a few map lookups. */
export class OwnershipRules {
  private readonly byScope = new Map<string, OwnershipRule>();
  private readonly byTag: OwnershipRule[] = [];

  constructor(readonly rules: readonly OwnershipRule[]) {
    for (const r of rules) {
      const scope = SCOPES.find((s) => r[s] !== undefined);
      if (scope) { const k = `${scope}\0${r[scope]}`; if (!this.byScope.has(k)) this.byScope.set(k, r); }
      else if (r.tag) this.byTag.push(r);
    }
  }

  match(attrs: Partial<Record<IpamAttribute, string>>, tags: Record<string, string> | undefined): OwnershipRule | null {
    for (const s of SCOPES) {
      const v = attrs[s];
      const r = v === undefined ? undefined : this.byScope.get(`${s}\0${v}`);
      if (r) return r;
    }
    if (tags) for (const r of this.byTag) if (tags[r.tag!.key] === r.tag!.value) return r;
    return null;
  }
}
