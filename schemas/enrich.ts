/**
 * The `enrich:` section of the configuration: where IPAM truth comes from and
 * how it maps to owners. Every part is optional; with none, flows still get
 * the built-in address classes, is_internal and egress.
 */
import { z } from 'zod';
import { duration, secret } from './common.js';

/** The attributes an IPAM entry may carry (and a policy may match on). */
export const IPAM_ATTRIBUTES = [
  'name', 'vpc', 'subnet', 'env', 'segment', 'region', 'owner', 'service', 'cost_center', 'criticality',
  'account', 'eni', 'instance', 'site', 'tenant', 'role', 'vrf', 'class',
] as const;
export type IpamAttribute = (typeof IPAM_ATTRIBUTES)[number];

const attribute = z.enum(IPAM_ATTRIBUTES);

const rule = z.object({
  eni: z.string().min(1).optional(),
  subnet: z.string().min(1).optional(),
  vpc: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  tag: z.object({ key: z.string().min(1), value: z.string() }).strict().optional(),
  owner: z.string().min(1, 'the owner this rule assigns'),
  set: z.record(attribute, z.string()).optional(),
}).strict().refine((r) => ['eni', 'subnet', 'vpc', 'account', 'tag'].filter((k) => r[k as keyof typeof r] !== undefined).length === 1, {
  message: 'a rule matches on exactly one of eni, subnet, vpc, account, tag',
});

export const enrichSchema = z.object({
  /**
   * IPAM files, any mix: static IPAM (YAML or CSV), `aws ec2 describe-vpcs/-subnets/-network-interfaces` JSON,
   * `az network vnet list / nic list` JSON, NetBox prefixes / ip-addresses JSON, AWS ip-ranges.json, Azure service tags.
   * The format is read off each file's content.
   */
  files: z.array(z.string().min(1)).default([]).describe('IPAM files, any mix of formats (static YAML/CSV, AWS and Azure inventory JSON, NetBox JSON, AWS ip-ranges, Azure service tags); the format is read off each file.'),
  netbox: z.object({
    url: z.string().url().describe('NetBox base URL.'),
    token: secret.describe('NetBox API token.'),
    interval: duration.default('15m').describe('How often NetBox is read again.'),
  }).strict().optional().describe('Read prefixes and addresses from NetBox.'),
  /** Which cloud/NetBox tag keys fill which attribute, e.g. owner: [Owner, Team]. */
  tag_keys: z.record(attribute, z.array(z.string().min(1))).optional().describe('Which cloud/NetBox tag keys fill which attribute, e.g. owner: [Owner, Team].'),
  ownership: z.array(rule).default([]).describe('Rules giving an owner (and attributes) by eni, subnet, vpc, account or tag; each matches on exactly one.'),
  /** Known owners: `flowlog ipam check` reports any other. */
  owners: z.array(z.string().min(1)).optional().describe('Known owners: flowlog ipam check reports any other.'),
  /** How often the files are checked for changes (a change is loaded without stopping ingest). */
  reload_interval: duration.default('30s').describe('How often the files are checked for changes (loaded without stopping ingest).'),
}).strict();

export type EnrichConfig = z.infer<typeof enrichSchema>;
