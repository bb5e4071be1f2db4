/**
 * End to end on the demo estate: the generator's inventory and IPAM (real
 * export formats) load into one model, and ingesting the generated flows with
 * it gives every flow the owner, VPC, segment and service its addresses have
 * in the estate, on the side that owns the interface.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { generate } from '../../generate/index.js';
import { writeInventory } from '../../generate/inventory-writer.js';
import { STREAM } from '../../generate/plan.js';
import { rngFor } from '../../generate/prng.js';
import { buildTopology } from '../../generate/topology.js';
import { ingestPath } from '../../pipeline/ingest.js';
import { loadIpam } from '../load.js';
import type { IpamModel } from '../model.js';
import { openEnricher } from '../open.js';
import { loadEnrichFile } from '../settings.js';

const SEED = 42;
let dir = '';
let model: IpamModel;
const topo = buildTopology(rngFor(SEED, STREAM.topology));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-inv-'));
  await writeInventory(join(dir, 'ipam'), SEED);
  model = await loadIpam(loadEnrichFile(join(dir, 'ipam', 'enrich.yaml')).settings);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('demo inventory', () => {
  it('loads every export format into one model; the only problem is the shadowed Azure supernet', () => {
    const enis = topo.vpcs.flatMap((v) => v.enis);
    for (const e of enis) {
      const entry = model.entries.find((x) => x.cidr === `${e.ip}/32`);
      expect(entry, e.ip).toBeDefined();
      expect(entry!.attrs).toMatchObject({ eni: e.id, subnet: e.subnetId });
    }
    const sources = new Set(model.entries.flatMap((e) => e.sources));
    expect([...sources].sort()).toEqual(['aws', 'azure', 'builtin', 'provider', 'static']);
    expect(model.problems.map((p) => [p.kind, p.cidr])).toEqual([['shadowed', '10.200.0.0/16']]);
  });

  it('enriches generated flows: owners by tag, rule and ENI, segments, provider services, egress', { timeout: 60_000 }, async () => {
    await generate({ out: join(dir, 'flows'), flows: 30_000, seed: SEED, start: new Date('2026-11-01T00:00:00Z'), hours: 2 });
    await withStore(async (store) => {
      const enrich = await openEnricher(loadEnrichFile(join(dir, 'ipam', 'enrich.yaml')), { store });
      try { await ingestPath(store, join(dir, 'flows'), { enrich }); } finally { enrich.stop(); }
      const q = async (sql: string) => Number((await store.queryRows<{ n: number }>(sql))[0]!.n);
      // every flow from a VPC address knows its VPC, subnet and an owner
      expect(await q("SELECT count() AS n FROM flows WHERE provider = 'aws' AND isIPAddressInRange(toString(src_addr), '::ffff:10.0.0.0/104') AND (src_vpc IS NULL OR src_owner IS NULL OR src_segment IS NULL)")).toBe(0);
      // the monitor interfaces belong to observability (their own Owner tag), on whichever side they are
      const monitor = topo.vpcs.flatMap((v) => v.enis).filter((e) => e.role === 'monitor').map((e) => `toIPv6('${e.ip}')`).join(',');
      expect(await q(`SELECT countIf(src_owner != 'observability') AS n FROM flows WHERE src_addr IN (${monitor})`)).toBe(0);
      expect(await q(`SELECT countIf(dst_owner != 'observability') AS n FROM flows WHERE dst_addr IN (${monitor})`)).toBe(0);
      expect(await q(`SELECT count() AS n FROM flows WHERE src_addr IN (${monitor}) OR dst_addr IN (${monitor})`)).toBeGreaterThan(0);
      // the untagged last VPC is owned through the ownership rule (its monitor/bastion interfaces keep their own Owner tag)
      const last = topo.vpcs[topo.vpcs.length - 1]!;
      expect(await q(`SELECT countIf(src_owner NOT IN ('data-platform', 'observability', 'security')) AS n FROM flows WHERE src_vpc = '${last.id}'`)).toBe(0);
      // S3 ranges are named, and nobody's
      expect(await q("SELECT countIf(dst_service != 'S3' OR dst_is_internal = 1) AS n FROM flows WHERE isIPAddressInRange(toString(dst_addr), '::ffff:52.216.0.0/111')")).toBe(0);
      expect(await q("SELECT count() AS n FROM flows WHERE dst_service = 'S3'")).toBeGreaterThan(0);
      // egress is exactly: internal source, public destination that is not ours
      expect(await q("SELECT countIf(egress != (src_is_internal = 1 AND dst_class = 'public' AND dst_is_internal = 0)) AS n FROM flows WHERE src_addr IS NOT NULL AND dst_addr IS NOT NULL")).toBe(0);
      expect(await q('SELECT countIf(egress = 1) AS n FROM flows')).toBeGreaterThan(0);
      // office egress addresses are ours though public
      const corp = topo.internet.corp.items.map((ip) => `toIPv6('${ip}')`).join(',');
      expect(await q(`SELECT countIf(src_owner != 'it' OR src_is_internal != 1 OR src_class != 'public') AS n FROM flows WHERE src_addr IN (${corp})`)).toBe(0);
      // every owner is a declared one
      const owners = await store.queryRows<{ o: string }>('SELECT DISTINCT src_owner AS o FROM flows WHERE src_owner IS NOT NULL UNION DISTINCT SELECT DISTINCT dst_owner FROM flows WHERE dst_owner IS NOT NULL');
      expect(owners.map((r) => r.o).filter((o) => !['payments', 'search', 'data-platform', 'observability', 'security', 'web-platform', 'netops', 'it'].includes(o))).toEqual([]);
    });
  });
});
