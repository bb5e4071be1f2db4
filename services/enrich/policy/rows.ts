/**
 * Flagged flows as rows of the policy_violations table
 * (sql/migrations/0008_anomalies.sql), one JSON object each: objects are
 * made only here, for the few flows a deny or alert decided.
 * `time` is ISO 8601 (2024-05-01T12:00:00.000Z): insert with
 * date_time_input_format = best_effort, as the flows insert does.
 */
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import { formatIp } from '../../core/ip.js';
import type { CompiledPolicy } from './compile.js';
import { DECISION_NAMES } from './matrix.js';
import { KIND_NAMES, type ViolationBatch, type ViolationKind } from './violations.js';

export interface PolicyViolationRow {
  time: string;
  src_addr: string | null;
  dst_addr: string | null;
  src_segment: string;
  dst_segment: string;
  dst_port: number | null;
  protocol: number | null;
  action: string;
  kind: ViolationKind;
  decision: 'deny' | 'alert';
  rule: string;
  observe: 0 | 1;
  bytes: number;
  packets: number;
  src_owner: string;
  dst_owner: string;
  source: string;
}

export interface ToRowsOptions {
  /** The policy the violations were evaluated with (segment and rule names). */
  policy: CompiledPolicy;
  /** Name for violations the default decided (no rule); default "default". */
  defaultRuleName?: string;
}

const C = COLUMN_INDEX;

export function toRows(batch: FlowBatch, v: ViolationBatch, opts: ToRowsOptions): PolicyViolationRow[] {
  const { policy } = opts;
  const dflt = opts.defaultRuleName ?? 'default';
  const str = (c: number, r: number) => (batch.isNull(c, r) ? null : batch.dicts[c]!.get(batch.codes[c]![r]!));
  const num = (c: number, r: number) => (batch.isNull(c, r) ? null : batch.num[c]![r]!);
  const ip = (c: number, r: number) => (batch.isNull(c, r) ? null : formatIp(batch.ip[c]!, r * 16));
  const out: PolicyViolationRow[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const r = v.rows[i]!, rule = v.rule[i]!;
    const start = num(C.start_time, r);
    out[i] = {
      time: new Date(start ?? 0).toISOString(),
      src_addr: ip(C.src_addr, r),
      dst_addr: ip(C.dst_addr, r),
      src_segment: policy.segmentNames[v.srcSegment[i]!]!,
      dst_segment: policy.segmentNames[v.dstSegment[i]!]!,
      dst_port: num(C.dst_port, r),
      protocol: num(C.protocol, r),
      action: str(C.action, r) ?? '',
      kind: KIND_NAMES[v.kind[i]!]!,
      decision: DECISION_NAMES[v.decision[i]!] as 'deny' | 'alert',
      rule: rule >= 0 ? policy.rules[rule]!.name : dflt,
      observe: v.observe ? 1 : 0,
      bytes: num(C.bytes, r) ?? 0,
      packets: num(C.packets, r) ?? 0,
      src_owner: str(C.src_owner, r) ?? '',
      dst_owner: str(C.dst_owner, r) ?? '',
      source: str(C.source, r) ?? '',
    };
  }
  return out;
}
