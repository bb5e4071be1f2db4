/**
 * The enrichment figures of `npm run bench`: a 100k-prefix IPAM built into a
 * model (timed), and the enrichers the ingest child runs with, so the ingest
 * rate can be compared off / built-in classes / full IPAM in the same run.
 */
import { formatCidr } from '../enrich/lookup/cidr.js';
import { makePrefixes, rng } from './lookup-data.js';
import { builtinClassRecords } from '../enrich/builtin-classes.js';
import { Enricher } from '../enrich/enricher.js';
import type { IpamRecord } from '../enrich/ipam-record.js';
import { buildModel } from '../enrich/model.js';
import { builtinEnricher } from '../enrich/open.js';

export type EnrichMode = 'off' | 'builtin' | 'ipam';

/** 100k prefixes shaped like a real IPAM (nested private blocks, cloud IPv6), each with owner/segment/env/vpc. */
export function benchIpamRecords(count = 100_000): IpamRecord[] {
  return makePrefixes(rng(0x1a2b), count).map((p, i) => ({
    cidr: formatCidr(p.net, p.len), source: 'static', origin: 'bench',
    attrs: { owner: `team-${i % 300}`, segment: `seg-${i % 24}`, env: ['prod', 'staging', 'dev'][i % 3]!, vpc: `vpc-${(i >> 4).toString(16)}`, ...(i % 5 === 0 ? { service: `svc-${i % 97}` } : {}) },
  }));
}

export function benchEnricher(mode: EnrichMode): { enricher: Enricher | null; buildMs: number; prefixes: number } {
  if (mode === 'off') return { enricher: null, buildMs: 0, prefixes: 0 };
  if (mode === 'builtin') return { enricher: builtinEnricher(), buildMs: 0, prefixes: builtinClassRecords().length };
  const records = [...builtinClassRecords(), ...benchIpamRecords()];
  const t0 = performance.now();
  const model = buildModel({ records });
  const enricher = Enricher.fromModel(model);
  return { enricher, buildMs: performance.now() - t0, prefixes: model.entries.length };
}
