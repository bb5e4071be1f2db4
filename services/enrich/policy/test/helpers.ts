/** Hand-built IPAM models and flow batches for the policy tests. */
import { COLUMN_INDEX } from '../../../../schemas/flow.js';
import { policySchema, type Policy, type PolicyInput } from '../../../../schemas/policy.js';
import { FlowBatch } from '../../../core/flow-batch.js';
import { parseIpText } from '../../../core/ip.js';
import { builtinClassRecords } from '../../builtin-classes.js';
import type { IpamRecord } from '../../ipam-record.js';
import { buildModel, type IpamModel } from '../../model.js';

export const rec = (cidr: string, attrs: IpamRecord['attrs'], tags?: Record<string, string>): IpamRecord =>
  ({ cidr, source: 'static', origin: 'test', attrs, ...(tags ? { tags } : {}) });

/** The built-in classes plus the given prefixes, as loadIpam would build them. */
export const modelOf = (records: IpamRecord[]): IpamModel => buildModel({ records: [...builtinClassRecords(), ...records] });

export const policyOf = (input: PolicyInput): Policy => policySchema.parse(input);

export interface Flow {
  src: string | null;
  dst: string | null;
  port?: number | null;
  proto?: number | null;
  action?: 'ACCEPT' | 'REJECT' | null;
  start?: number;
  bytes?: number;
  packets?: number;
  srcOwner?: string;
  source?: string;
}

const C = COLUMN_INDEX;

function setStr(b: FlowBatch, c: number, r: number, v: string | null | undefined): void {
  b.use(c);
  if (v === null || v === undefined) return;
  b.codes[c]![r] = b.dicts[c]!.internString(v);
  b.nulls[c]![r] = 0;
}

function setIp(b: FlowBatch, c: number, r: number, v: string | null): void {
  b.use(c);
  if (v === null) return;
  b.ip[c]!.set(parseIpText(v)!, r * 16);
  b.nulls[c]![r] = 0;
}

export function batchOf(flows: Flow[]): FlowBatch {
  const b = new FlowBatch(Math.max(1, flows.length));
  flows.forEach((f, r) => {
    setIp(b, C.src_addr, r, f.src);
    setIp(b, C.dst_addr, r, f.dst);
    b.setNumber(C.dst_port, r, f.port ?? null);
    b.setNumber(C.protocol, r, f.proto === undefined ? 6 : f.proto);
    setStr(b, C.action, r, f.action === undefined ? 'ACCEPT' : f.action);
    b.setNumber(C.start_time, r, f.start ?? Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    b.setNumber(C.bytes, r, f.bytes ?? 100);
    b.setNumber(C.packets, r, f.packets ?? 2);
    setStr(b, C.src_owner, r, f.srcOwner);
    setStr(b, C.source, r, f.source ?? 's3://bucket/key.gz');
  });
  b.length = flows.length;
  return b;
}

/** What the enricher computes: each row's IPAM entry id per side. */
export function idsOf(model: IpamModel, b: FlowBatch): [Int32Array, Int32Array] {
  const s = new Int32Array(b.capacity), d = new Int32Array(b.capacity);
  model.table.lookupColumn(b.ip[C.src_addr]!, b.nulls[C.src_addr]!, b.length, s);
  model.table.lookupColumn(b.ip[C.dst_addr]!, b.nulls[C.dst_addr]!, b.length, d);
  return [s, d];
}
