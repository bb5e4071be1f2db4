/**
 * Property tests: random valid records in random field orders round-trip
 * through a header line, and random junk never escapes the parser (every
 * non-empty line is either a row, a header, or a reject with a known reason).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '../../../core/rejects.js';
import { AWS_FIELDS } from '../fields.js';
import { compilePlan } from '../log-format.js';
import { parseAll } from './parse-helpers.js';
import { referenceIpText } from '../../../../test/ip-reference.js';

const V2 = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];
const EXTRA = ['vpc-id', 'subnet-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'region', 'flow-direction', 'traffic-path', 'reject-reason'];

const ip = fc.oneof(fc.ipV4(), fc.ipV6());
const recordArb = fc.record({
  account: fc.stringMatching(/^[0-9]{12}$/),
  eni: fc.stringMatching(/^eni-[0-9a-f]{17}$/),
  src: ip, dst: ip, pkt: ip,
  sport: fc.integer({ min: 0, max: 65535 }), dport: fc.integer({ min: 0, max: 65535 }),
  proto: fc.integer({ min: 0, max: 255 }),
  packets: fc.integer({ min: 0, max: 2 ** 40 }), bytes: fc.maxSafeNat(),
  start: fc.integer({ min: 0, max: 4102444800 }), dur: fc.integer({ min: 0, max: 600 }),
  action: fc.constantFrom('ACCEPT', 'REJECT'),
  flags: fc.integer({ min: 0, max: 63 }), path: fc.integer({ min: 1, max: 8 }),
  dashVpc: fc.boolean(),
});
type Rec = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;

function value(r: Rec, f: string): string {
  switch (f) {
    case 'version': return '5';
    case 'account-id': return r.account;
    case 'interface-id': return r.eni;
    case 'srcaddr': return r.src;
    case 'dstaddr': return r.dst;
    case 'pkt-srcaddr': return r.pkt;
    case 'srcport': return String(r.sport);
    case 'dstport': return String(r.dport);
    case 'protocol': return String(r.proto);
    case 'packets': return String(r.packets);
    case 'bytes': return String(r.bytes);
    case 'start': return String(r.start);
    case 'end': return String(r.start + r.dur);
    case 'action': return r.action;
    case 'log-status': return 'OK';
    case 'vpc-id': return r.dashVpc ? '-' : 'vpc-0abc';
    case 'subnet-id': return 'subnet-01';
    case 'tcp-flags': return String(r.flags);
    case 'type': return 'IPv4';
    case 'region': return 'eu-west-1';
    case 'flow-direction': return 'egress';
    case 'traffic-path': return String(r.path);
    default: return '-';
  }
}

describe('AWS parser properties', () => {
  it('random records in random field orders round-trip through a header', () => {
    fc.assert(fc.property(
      fc.shuffledSubarray([...V2, ...EXTRA], { minLength: 1 }).chain((fields) => fc.tuple(fc.constant(fields), fc.array(recordArb, { minLength: 1, maxLength: 20 }))),
      ([fields, recs]) => {
        const withTime = fields.includes('start') || fields.includes('end') ? fields : [...fields, 'start'];
        const text = [withTime.join(' '), ...recs.map((r) => withTime.map((f) => value(r, f)).join(' '))].join('\n');
        const { records, rejected } = parseAll(Buffer.from(text));
        expect(rejected).toEqual([]);
        expect(records.length).toBe(recs.length);
        records.forEach((got, i) => {
          const r = recs[i]!;
          const has = (f: string) => withTime.includes(f);
          if (has('srcaddr')) expect(got.src_addr).toBe(referenceIpText(r.src));
          if (has('dstaddr')) expect(got.dst_addr).toBe(referenceIpText(r.dst));
          if (has('pkt-srcaddr')) expect(got.pkt_src_addr).toBe(referenceIpText(r.pkt));
          expect(got.src_port).toBe(has('srcport') ? r.sport : null);
          expect(got.dst_port).toBe(has('dstport') ? r.dport : null);
          expect(got.protocol).toBe(has('protocol') ? r.proto : null);
          expect(got.packets).toBe(has('packets') ? r.packets : null);
          expect(got.bytes).toBe(has('bytes') ? r.bytes : null);
          expect(got.action).toBe(has('action') ? r.action : null);
          expect(got.vpc_id).toBe(has('vpc-id') && !r.dashVpc ? 'vpc-0abc' : null);
          expect(got.tcp_flags).toBe(has('tcp-flags') ? r.flags : null);
          const start = has('start') ? r.start : r.start + r.dur;
          expect(got.start_time).toBe(new Date(start * 1000).toISOString());
          expect(got.end_time).toBe(new Date((has('end') ? r.start + r.dur : start) * 1000).toISOString());
          // a custom format without ${version} has the highest version among its fields
          const implied = Math.max(2, ...withTime.map((f) => AWS_FIELDS.find((x) => x.name === f)!.version));
          expect(got.version).toBe(has('version') ? 5 : implied);
        });
      },
    ), { numRuns: 300 });
  });

  it('string fields that repeat, grow, shrink and change from row to row read back exactly, across batches, headers and rejects', () => {
    // values with prefix relations between them: a field equal to the row before's takes its code without
    // interning it again (text-parser.ts), and one that only starts like it must not
    const STR = ['account-id', 'interface-id', 'vpc-id', 'subnet-id', 'region', 'az-id'] as const;
    const COL = { 'account-id': 'account_id', 'interface-id': 'interface_id', 'vpc-id': 'vpc_id', 'subnet-id': 'subnet_id', region: 'region', 'az-id': 'az_id' } as const;
    const word: fc.Arbitrary<string> = fc.constantFrom('a', 'ab', 'abc', 'b', 'vpc-1', 'vpc-12', 'vpc-123', 'vpc-2', '-');
    // a row's words by field name; null: a line that fails early (junk), 'late': one that fails after its strings (bad start)
    const row = fc.oneof({ weight: 8, arbitrary: fc.tuple(...STR.map(() => word)) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant('late' as const) });
    const order = fc.shuffledSubarray([...STR, 'start'], { minLength: 7, maxLength: 7 });
    const part = fc.tuple(order, fc.array(row, { minLength: 1, maxLength: 20 }));
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 8 }), fc.boolean(), (parts, capacity, crlf) => {
      const lines: string[] = [];
      const good: Record<string, string | null>[] = [];
      let bad = 0;
      for (const [fields, rows] of parts) {
        lines.push(fields.join(' '));
        for (const r of rows) {
          if (r === null) { lines.push('junk'); bad++; continue; }
          const words = r === 'late' ? STR.map(() => 'vpc-12') : r;
          const byField = Object.fromEntries(STR.map((f, i) => [f, words[i]!]));
          lines.push(fields.map((f) => f === 'start' ? (r === 'late' ? 'x' : '1700000000') : byField[f]).join(' '));
          if (r === 'late') { bad++; continue; }
          good.push(Object.fromEntries(STR.map((f) => [COL[f], byField[f] === '-' ? null : byField[f]!])));
        }
      }
      const { records, rejected } = parseAll(Buffer.from(lines.join(crlf ? '\r\n' : '\n')), { capacity });
      expect(rejected).toHaveLength(bad);
      expect(records.map((g) => Object.fromEntries(STR.map((f) => [COL[f], g[COL[f]]])))).toEqual(good);
    }), { numRuns: 500 });
  });

  it('random bytes never throw; every line is a row, a header or a known reject', () => {
    const line = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1').replace(/\n/g, ' ')),
      fc.array(fc.oneof(fc.constantFrom('-', '2', 'ACCEPT', 'OK', '10.0.0.1', '::1', '65536', '1e3', 'x'), fc.string()), { maxLength: 20 }).map((t) => t.join(' ').replace(/\n/g, ' ')),
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const text = Buffer.from(lines.join('\n'), 'latin1');
      const { records, rejected } = parseAll(text, { logFormat: compilePlan(V2) });
      const nonEmpty = lines.filter((l) => l.replace(/\r$/, '').length > 0).length;
      expect(records.length + rejected.length).toBeLessThanOrEqual(nonEmpty);
      for (const r of rejected) expect(Object.keys(REJECT_REASONS)).toContain(r.reason);
      for (const r of records) { expect(r.start_time).toMatch(/Z$/); }
    }), { numRuns: 500 });
  });
});
