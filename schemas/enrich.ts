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
  files: z.array(z.string().min(1)).default([]),
  netbox: z.object({
    url: z.string().url(),
    token: secret,
    interval: duration.default('15m'),
  }).strict().optional(),
  /** Which cloud/NetBox tag keys fill which attribute, e.g. owner: [Owner, Team]. */
  tag_keys: z.record(attribute, z.array(z.string().min(1))).optional(),
  ownership: z.array(rule).default([]),
  /** Known owners: `flowlog ipam check` reports any other. */
  owners: z.array(z.string().min(1)).optional(),
  /** How often the files are checked for changes (a change is loaded without stopping ingest). */
  reload_interval: duration.default('30s'),
}).strict();

export type EnrichConfig = z.infer<typeof enrichSchema>;
