/**
 * Property tests: random valid tuples round-trip to the same values; random
 * junk, as whole documents or as tuples, never throws out of fill, and every
 * tuple ends up either as a row or as a reject.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flowRecordSchema } from '../../../../schemas/flow.js';
import { formatIp, parseIpText } from '../../../core/ip.js';
import { blob, ndjson, record, SUBSCRIPTION, type Kind } from './build.js';
import { parseAll, type ParseResult } from './helpers.js';

interface Tuple {
  text: string;
  /** The tuple columns it must produce. */
  expected: Record<string, string | number | null>;
}

const canonicalIp = (s: string) => formatIp(parseIpText(s)!, 0);
const addr = fc.oneof(fc.ipV4(), fc.ipV6());
const port = fc.integer({ min: 0, max: 65535 });
/** Up to 15 digits: the most a counter may have. */
const counter = fc.tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 999_999 })).map(([a, b]) => a * 1e6 + b);
const state = fc.constantFrom('B', 'C', 'E', 'D');
/** Known values, and anything printable without a comma (kept verbatim). */
const encryption = fc.oneof(
  fc.constantFrom('X', 'NX', 'NX_HW_NOT_SUPPORTED', 'NX_SECURE_ENCRYPTION_NOT_SUPPORTED', ''),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 44).map((c) => String.fromCharCode(c)), maxLength: 12 }),
);

function tupleArb(kind: Kind): fc.Arbitrary<Tuple> {
  const vnet = kind === 'vnet';
  return fc.record({
    // NSG: seconds up to 11 digits; VNet: milliseconds up to 14
    time: fc.maxSafeNat().map((n) => n % (vnet ? 1e14 : 1e11)),
    src: addr, dst: addr, sport: port, dport: port,
    proto: vnet ? fc.integer({ min: 0, max: 255 }).map(String) : fc.constantFrom('T', 'U'),
    dir: fc.constantFrom('I', 'O'),
    decision: fc.constantFrom('A', 'D'),
    state, enc: encryption,
    counters: fc.array(fc.option(counter, { nil: null }), { minLength: 4, maxLength: 4 }),
  }).map((t) => {
    const head = [t.time, t.src, t.dst, t.sport, t.dport, t.proto, t.dir];
    const fields = kind === 'nsg1' ? [...head, t.decision]
      : kind === 'nsg2' ? [...head, t.decision, t.state, ...t.counters.map((c) => c ?? '')]
      : [...head, t.state, t.enc, ...t.counters.map((c) => c ?? '')];
    const ms = vnet ? t.time : t.time * 1000;
    const [packets, bytes, rp, rb] = kind === 'nsg1' ? [null, null, null, null] : t.counters;
    return {
      text: fields.join(','),
      expected: {
        start_time: new Date(ms).toISOString(), end_time: new Date(ms).toISOString(),
        src_addr: canonicalIp(t.src), dst_addr: canonicalIp(t.dst), src_port: t.sport, dst_port: t.dport,
        protocol: vnet ? Number(t.proto) : t.proto === 'T' ? 6 : 17,
        flow_direction: t.dir === 'I' ? 'ingress' : 'egress',
        action: (vnet ? t.state === 'D' : t.decision === 'D') ? 'REJECT' : 'ACCEPT',
        flow_state: kind === 'nsg1' ? null : t.state,
        encryption: vnet && t.enc !== '' ? t.enc : null,
        packets: packets ?? null, bytes: bytes ?? null, reverse_packets: rp ?? null, reverse_bytes: rb ?? null,
      },
    };
  });
}

interface RecordSpec { kind: Kind; groups: Tuple[][] }
const recordArb: fc.Arbitrary<RecordSpec> = fc.constantFrom<Kind>('nsg1', 'nsg2', 'vnet').chain((kind) =>
  fc.record({ kind: fc.constant(kind), groups: fc.array(fc.array(tupleArb(kind), { maxLength: 4 }), { maxLength: 3 }) }));

function expectedRows(specs: RecordSpec[]) {
  return specs.flatMap((s) => s.groups.flatMap((g, gi) => g.map((t) => ({
    ...t.expected,
    provider: 'azure', log_type: s.kind === 'vnet' ? 'vnet' : 'nsg', version: s.kind === 'nsg1' ? 1 : s.kind === 'nsg2' ? 2 : 4,
    account_id: SUBSCRIPTION.toLowerCase(), rule: `rule-${gi}`, mac: s.kind === 'vnet' ? 'MAC0' : `MAC${gi}`, log_status: 'OK',
  }))));
}

/** Nothing reached the safety net in fill: it turns an unexpected throw into a DECODE reject. */
function noInternalErrors(r: ParseResult) {
  expect(r.rejects.filter((x) => x.reason === 'DECODE')).toEqual([]);
}

describe('properties', () => {
  it('valid tuples round-trip, as a blob or NDJSON, in batches of any size', () => {
    fc.assert(fc.property(fc.array(recordArb, { maxLength: 5 }), fc.boolean(), fc.integer({ min: 1, max: 20 }), (specs, asBlob, capacity) => {
      const records = specs.map((s) => record(s.kind, s.groups.map((g) => g.map((t) => t.text))));
      const res = parseAll(asBlob ? blob(records) : ndjson(records), { capacity });
      expect(res.rejects).toEqual([]);
      const want = expectedRows(specs);
      expect(res.rows.length).toBe(want.length);
      res.rows.forEach((row, i) => expect(row).toMatchObject(want[i]!));
      for (const row of res.rows) flowRecordSchema.parse(row);
    }), { numRuns: 300 });
  });

  /** Valid tuples with one edit: a char replaced, inserted or deleted. */
  const mutated = fc.constantFrom<Kind>('nsg1', 'nsg2', 'vnet').chain((k) => tupleArb(k)).chain((t) =>
    fc.tuple(fc.nat({ max: t.text.length }), fc.string({ unit: 'binary-ascii', maxLength: 3 }), fc.constantFrom(0, 1, 2)).map(([at, s, op]) =>
      op === 0 ? t.text.slice(0, at) + s + t.text.slice(at + 1)
        : op === 1 ? t.text.slice(0, at) + s + t.text.slice(at)
        : t.text.slice(0, at) + t.text.slice(at + 1)));
  const junkTuple = fc.oneof(
    mutated,
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(fc.string({ unit: 'binary-ascii', maxLength: 8 }), { minLength: 7, maxLength: 14 }).map((xs) => xs.join(',')),
    fc.string({ minLength: 1025, maxLength: 1100 }),
    fc.jsonValue({ maxDepth: 2 }),
  );

  it('junk tuples: rows + rejects == tuples, every row valid, nothing thrown', () => {
    fc.assert(fc.property(fc.constantFrom<Kind>('nsg1', 'nsg2', 'vnet'), fc.array(fc.array(junkTuple, { maxLength: 8 }), { maxLength: 3 }), fc.integer({ min: 1, max: 9 }), (kind, groups, capacity) => {
      const res = parseAll(blob([record(kind, groups)]), { capacity });
      noInternalErrors(res);
      const tuples = groups.reduce((n, g) => n + g.length, 0);
      expect(res.rows.length + res.rejects.length).toBe(tuples);
      for (const r of res.rejects) expect(r.position).toMatch(/^records\[0\]\.flows\[\d+\]\.(flows\[0\]|flowGroups\[\d+\])\.flowTuples\[\d+\]$/);
      for (const row of res.rows) flowRecordSchema.parse(row);
    }), { numRuns: 500 });
  });

  it('junk documents never throw out of fill', () => {
    const valid = blob([record('nsg2', [['1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66']]), record('vnet', [['1700000000123,10.0.0.6,52.239.184.180,23956,443,6,O,E,X,3,767,2,1580']])]);
    const doc = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
      fc.json().map((s) => Buffer.from(s)),
      fc.array(fc.oneof(fc.json(), fc.constant(valid)), { maxLength: 4 }).map((ls) => Buffer.from(ls.join('\n'))),
      // a valid document with one edit somewhere
      fc.tuple(fc.nat({ max: valid.length }), fc.string({ unit: 'binary-ascii', maxLength: 4 }), fc.nat({ max: 4 }))
        .map(([at, s, del]) => Buffer.from(valid.slice(0, at) + s + valid.slice(at + del))),
    );
    fc.assert(fc.property(doc, fc.integer({ min: 1, max: 5 }), (d, capacity) => {
      const res = parseAll(d, { capacity });
      noInternalErrors(res);
      for (const row of res.rows) flowRecordSchema.parse(row);
    }), { numRuns: 1000 });
  });
});
