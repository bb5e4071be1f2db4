/**
 * What every IPAM source (static file, cloud inventory, NetBox, provider
 * ranges, built-in classes) is read into before the sources are merged and
 * compiled into a lookup: one CIDR and the attributes it asserts.
 */

/** Attributes a prefix can carry; unset ones are inherited from the enclosing prefix. */
export { IPAM_ATTRIBUTES, type IpamAttribute } from '../../schemas/enrich.js';
import type { IpamAttribute } from '../../schemas/enrich.js';
import { FlowlogError } from '../core/errors.js';

export type IpamSourceKind = 'static' | 'aws' | 'azure' | 'netbox' | 'provider' | 'builtin';

export interface IpamRecord {
  /** Canonical text, e.g. 10.1.0.0/16 or 2600:1f18::/40 (host bits zero). */
  cidr: string;
  source: IpamSourceKind;
  /** Where it was read: file path or URL and, when known, the item (e.g. "subnets.json#subnet-0abc"). */
  origin: string;
  attrs: Partial<Record<IpamAttribute, string>>;
  /** Free-form tags (cloud tags, NetBox tags), kept for ownership rules and for the snapshot table. */
  tags?: Record<string, string>;
}

/** An interface from cloud inventory: its addresses get its attributes (the side that owns it). */
export interface InterfaceRecord {
  id: string; // eni-..., or an Azure NIC resource id
  source: IpamSourceKind;
  origin: string;
  addresses: string[];
  attrs: Partial<Record<IpamAttribute, string>>;
  tags?: Record<string, string>;
}

/** Which cloud tag keys fill which attribute (first present key wins), e.g. owner: [Owner, Team]. */
export type TagKeyMap = Partial<Record<IpamAttribute, string[]>>;

export const DEFAULT_TAG_KEYS: TagKeyMap = {
  name: ['Name'],
  owner: ['Owner', 'owner', 'Team', 'team'],
  env: ['Environment', 'environment', 'Env', 'env'],
  service: ['Service', 'service', 'App', 'app', 'Application'],
  segment: ['Segment', 'segment', 'Zone'],
  cost_center: ['CostCenter', 'cost-center', 'cost_center'],
  criticality: ['Criticality', 'criticality', 'Tier'],
};

/** A source file or document that cannot be read: names the place and what is wrong. */
export class IpamSourceError extends FlowlogError {
  constructor(readonly origin: string, message: string) {
    super('IPAM_INVALID', `${origin}: ${message}`, 'fix or remove that source; a running flowlog keeps its current IPAM version until this loads');
    this.name = 'IpamSourceError';
  }
}
