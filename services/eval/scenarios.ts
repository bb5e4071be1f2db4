/**
 * The estates `npm run eval` scores the detectors on: the demo estate (the
 * generator's AWS v2/v5 and Azure NSG estate with injected events) and
 * estate B (estate-b.ts: another shape, formats and calendar). Each builds
 * its flows, inventory and ground truth into a folder.
 */
import { join } from 'node:path';
import { loadIpam } from '../enrich/load.js';
import { loadEnrichFile, withPolicy, type EnrichPlan } from '../enrich/settings.js';
import { parseIpText } from '../core/ip.js';
import { generate } from '../generate/index.js';
import { writeInventory } from '../generate/inventory-writer.js';
import { writeScenario, type InjectedEvent } from '../generate/scenario.js';
import { writeEstateB } from './estate-b.js';

export interface Built { plan: EnrichPlan; events: InjectedEvent[]; end: Date }

export interface Scenario { description: string; days: number; build(dir: string, flows: number): Promise<Built> }

const demo: Scenario = {
  description: 'the demo estate (AWS v2 and v5, Azure NSG and VNet; 3 teams), 8 days',
  days: 8,
  async build(dir, flows) {
    const seed = 42, days = 8, start = new Date('2026-11-01T00:00:00Z'), end = new Date(start.getTime() + days * 86_400_000);
    await writeInventory(join(dir, 'ipam'), seed);
    const plan = withPolicy(loadEnrichFile(join(dir, 'ipam', 'enrich.yaml')), join(dir, 'ipam', 'policy.yaml'))!;
    const model = await loadIpam(plan.settings);
    const ownerOf = (ip: string) => { const id = model.table.lookup(parseIpText(ip)!, 0); return id >= 0 ? model.entries[id]!.attrs.owner ?? null : null; };
    await generate({ out: join(dir, 'flows'), flows, seed, start, hours: days * 24 });
    const events = await writeScenario(join(dir, 'flows'), seed, start, days * 24, (vpc) => ownerOf(vpc.enis[0]!.ip));
    return { plan, events, end };
  },
};

const estateB: Scenario = {
  description: 'estate B (AWS v5 custom fields + Azure VNet flow logs, hub and spokes, internal traffic logged at both ends, weekly pattern, cold starts), 22 days',
  days: 22,
  async build(dir, flows) {
    const { end, events } = await writeEstateB(dir, flows);
    const plan = withPolicy(loadEnrichFile(join(dir, 'ipam', 'enrich.yaml')), join(dir, 'ipam', 'policy.yaml'))!;
    return { plan, events, end };
  },
};

export const SCENARIOS = { 'demo-estate': demo, 'estate-b': estateB } as const;
export type ScenarioName = keyof typeof SCENARIOS;
