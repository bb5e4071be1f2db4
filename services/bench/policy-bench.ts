/**
 * evaluateBatch throughput on one core: a 262,144-flow batch, 20 segments,
 * 40 rules (a third of them port/protocol rules), over a 4,000-prefix IPAM.
 * The IPAM entry ids are computed before timing: the enricher has them
 * already, so they are not the policy's cost. Measured twice: attribute
 * segments only, and with 4 of the 20 segments by CIDR (two more prefix
 * lookups per flow), and as a stress case with a third of all flows flagged.
 * Run alone: `npx tsx services/bench/policy-bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { COLUMN_INDEX } from '../../schemas/flow.js';
import { policySchema, type PolicyInput } from '../../schemas/policy.js';
import { FlowBatch } from '../core/flow-batch.js';
import { builtinClassRecords } from '../enrich/builtin-classes.js';
import type { IpamRecord } from '../enrich/ipam-record.js';
import { rng } from './lookup-data.js';
import { buildModel, type IpamModel } from '../enrich/model.js';
import { compilePolicy } from '../enrich/policy/compile.js';
import { evaluateBatch } from '../enrich/policy/evaluate.js';
import { ViolationBatch } from '../enrich/policy/violations.js';

const ROWS = 262_144;
const RUNS = 9;
const ENVS = ['prod', 'staging', 'dev', 'qa'];
const ZONES = ['pci', 'dmz', 'data', 'mgmt', 'web', 'batch', 'ml', 'edge', 'corp', 'lab', 'iot', 'ci'];
const PORTS = [22, 53, 80, 443, 3306, 5432, 6379, 8080, 8443, 9092, 9200, 27017];

export interface PolicyBench {
  rows: number; segments: number; rules: number;
  /** Attribute segments only, a few % of flows flagged. */
  flows_per_sec: number;
  /** Same, with 4 of the 20 segments by CIDR. */
  flows_per_sec_cidr: number;
  /** Stress: a third of the rules deny or alert, about a third of flows flagged. */
  flows_per_sec_dense: number;
  flagged_share: number;
  compile_ms: number;
}

function ipam(r: () => number): IpamModel {
  const records: IpamRecord[] = [...builtinClassRecords()];
  for (let i = 0; i < 4000; i++) {
    const cidr = `10.${i >> 4}.${(i & 15) * 16}.0/20`;
    records.push({ cidr, source: 'static', origin: 'bench', attrs: { env: ENVS[Math.floor(r() * ENVS.length)]!, segment: ZONES[Math.floor(r() * ZONES.length)]!, owner: `team-${i % 37}` } });
  }
  return buildModel({ records });
}

function policy(r: () => number, cidrs: boolean, dense: boolean): PolicyInput {
  const segments: PolicyInput['segments'] = {};
  ZONES.forEach((z, i) => { segments[z] = cidrs && i < 4 ? { cidrs: [`10.${i * 60}.0.0/14`, `10.${i * 60 + 8}.0.0/16`] } : { match: { segment: z } }; });
  for (const e of ENVS) segments[`env-${e}`] = { match: { env: e } };
  segments.public = { match: { class: 'public' }, internal: false };
  segments.private = { match: { class: 'private' } };
  segments['other-internal'] = { internal: true };
  segments['other-external'] = { internal: false };
  const names = Object.keys(segments);
  const pick = () => names[Math.floor(r() * names.length)]!;
  const rules: PolicyInput['rules'] = Array.from({ length: 40 }, (_, i) => {
    // mostly allow: in a real network a small share of flows crosses a deny or alert
    const action = dense ? (['allow', 'deny', 'alert'] as const)[i % 3]! : i % 10 === 1 ? 'deny' : i % 10 === 5 ? 'alert' : 'allow';
    const from = i % 7 === 0 ? 'any' : [pick(), pick()];
    if (i % 3 === 0) return { from, to: pick(), ports: [PORTS[i % PORTS.length]!, '8000-8100'], protocol: 'tcp', action: 'allow' };
    return { from, to: [pick(), pick()], action };
  });
  return { segments, rules, default: 'allow' };
}

function flows(r: () => number, rows: number): FlowBatch {
  const b = new FlowBatch(rows);
  const C = COLUMN_INDEX;
  for (const c of [C.src_addr, C.dst_addr, C.dst_port, C.protocol, C.action]) b.use(c);
  const accept = b.dicts[C.action]!.internString('ACCEPT'), reject = b.dicts[C.action]!.internString('REJECT');
  const src = b.ip[C.src_addr]!, dst = b.ip[C.dst_addr]!, port = b.num[C.dst_port]!, proto = b.num[C.protocol]!, action = b.codes[C.action]!;
  const addr = (ip: Uint8Array, o: number) => {
    ip[o + 10] = 0xff; ip[o + 11] = 0xff;
    // 90% inside the IPAM's 10.0.0.0/10, the rest public
    if (r() < 0.9) { ip[o + 12] = 10; ip[o + 13] = Math.floor(r() * 250); } else { ip[o + 12] = 20 + Math.floor(r() * 180); ip[o + 13] = Math.floor(r() * 256); }
    ip[o + 14] = Math.floor(r() * 256); ip[o + 15] = Math.floor(r() * 256);
  };
  for (let i = 0; i < rows; i++) {
    addr(src, i * 16); addr(dst, i * 16);
    port[i] = r() < 0.7 ? PORTS[Math.floor(r() * PORTS.length)]! : 1024 + Math.floor(r() * 60000);
    proto[i] = r() < 0.85 ? 6 : 17;
    action[i] = r() < 0.95 ? accept : reject;
    for (const c of [C.src_addr, C.dst_addr, C.dst_port, C.protocol, C.action]) b.nulls[c]![i] = 0;
  }
  b.length = rows;
  return b;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchPolicy(log: (s: string) => void): Promise<PolicyBench> {
  const r = rng(0x5e9);
  const model = ipam(r);
  const batch = flows(r, ROWS);
  const srcIds = new Int32Array(ROWS), dstIds = new Int32Array(ROWS);
  model.table.lookupColumn(batch.ip[COLUMN_INDEX.src_addr]!, batch.nulls[COLUMN_INDEX.src_addr]!, ROWS, srcIds);
  model.table.lookupColumn(batch.ip[COLUMN_INDEX.dst_addr]!, batch.nulls[COLUMN_INDEX.dst_addr]!, ROWS, dstIds);
  const res: PolicyBench = { rows: ROWS, segments: 0, rules: 0, flows_per_sec: 0, flows_per_sec_cidr: 0, flows_per_sec_dense: 0, flagged_share: 0, compile_ms: 0 };
  const cases = [['attribute segments', false, false], ['4 CIDR segments', true, false], ['dense violations', false, true]] as const;
  for (const [label, cidrs, dense] of cases) {
    const input = policySchema.parse(policy(rng(0x9011c7), cidrs, dense)); // the same rules in every case
    const t0 = performance.now();
    const compiled = compilePolicy(input, model);
    const compileMs = performance.now() - t0;
    const out = new ViolationBatch(false, ROWS);
    for (let i = 0; i < 3; i++) evaluateBatch(compiled, batch, srcIds, dstIds, out); // warm-up: lets the JIT settle
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      evaluateBatch(compiled, batch, srcIds, dstIds, out);
      times.push(performance.now() - t);
    }
    const rate = Math.round(ROWS / (median(times) / 1000));
    log(`  ${label.padEnd(18)}: ${rate.toLocaleString('en-US').padStart(11)} flows/s (${input.segments.length} segments, ${input.rules.length} rules, ` +
      `${compiled.matrix.listFallback.length} port/protocol cell lists, ${(100 * out.length / ROWS).toFixed(1)}% flagged, compile ${compileMs.toFixed(1)} ms over ${model.entries.length} prefixes)`);
    if (dense) res.flows_per_sec_dense = rate;
    else if (cidrs) res.flows_per_sec_cidr = rate;
    else { res.flows_per_sec = rate; res.flagged_share = Math.round(out.length / ROWS * 1000) / 1000; res.compile_ms = Math.round(compileMs * 10) / 10; }
    res.segments = input.segments.length; res.rules = input.rules.length;
  }
  return res;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const res = await benchPolicy((s) => console.log(s));
  console.log(JSON.stringify(res));
}
