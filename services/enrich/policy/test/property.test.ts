/**
 * evaluateBatch against the obvious evaluator (reference.ts) on random IPAM
 * models, policies and flows: segments of both kinds in any order with
 * nesting CIDRs, rules with lists, any, unsegmented, unknown names, port
 * ranges and protocols, either default and mode.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../../../schemas/policy.js';
import { compilePolicy } from '../compile.js';
import { evaluateBatch, toRows } from '../evaluate.js';
import { batchOf, idsOf, modelOf, policyOf, rec, type Flow } from './helpers.js';
import { referenceDecision, referenceSegment } from './reference.js';

const PREFIXES = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.128/25', '10.2.0.0/16', '10.2.3.0/24', '192.168.0.0/16', '192.168.1.0/24',
  '2600:1f18::/32', '2600:1f18:1::/48', '203.0.113.0/24', '8.8.0.0/16'];
const ADDRESSES = ['10.1.2.3', '10.1.2.200', '10.1.9.9', '10.2.3.4', '10.2.9.9', '10.9.9.9', '192.168.1.5', '192.168.7.7', '8.8.8.8', '8.9.9.9',
  '203.0.113.7', '2600:1f18::5', '2600:1f18:1::9', '2a00::1', '100.64.0.1'];
const VALUES = { env: ['prod', 'dev', 'staging'], segment: ['pci', 'dmz'], owner: ['a', 'b'], class: ['private', 'public', 'cgnat'], 'tags.team': ['x', 'y'] } as const;
type Key = keyof typeof VALUES;
const KEYS = Object.keys(VALUES) as Key[];

const sub = <T>(xs: readonly T[], min = 1) => fc.subarray([...xs], { minLength: min });

const record = fc.record({
  cidr: fc.constantFrom(...PREFIXES),
  env: fc.option(fc.constantFrom(...VALUES.env)),
  segment: fc.option(fc.constantFrom(...VALUES.segment)),
  owner: fc.option(fc.constantFrom(...VALUES.owner)),
  team: fc.option(fc.constantFrom(...VALUES['tags.team'])),
}).map((r) => rec(r.cidr, Object.fromEntries(Object.entries({ env: r.env, segment: r.segment, owner: r.owner }).filter(([, v]) => v !== null)), r.team ? { team: r.team } : undefined));

const segment = fc.oneof(
  sub([...PREFIXES, '10.1.2.3', '8.8.8.8/32', '0.0.0.0/0']).map((cidrs) => ({ cidrs })),
  fc.record({
    keys: sub(KEYS).chain((ks) => fc.tuple(...ks.map((k) => sub(VALUES[k]).map((vs) => [k, vs.length === 1 ? vs[0]! : vs] as const)))),
    internal: fc.option(fc.boolean()),
  }).map(({ keys, internal }) => ({ match: Object.fromEntries(keys), ...(internal === null ? {} : { internal }) })),
  fc.boolean().map((internal) => ({ internal })),
);

const policy = fc.uniqueArray(fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6'), { minLength: 1, maxLength: 6 }).chain((names) => {
  const side = sub([...names, 'any', 'unsegmented', 'ghost']).map((xs) => (xs.length === 1 ? xs[0]! : xs));
  const ports = fc.array(fc.oneof(fc.constantFrom(22, 53, 443, 5432), fc.constantFrom('20-25', '0-1023', '5000-6000')), { minLength: 1, maxLength: 3 });
  const rule = fc.record({
    from: side, to: side,
    ports: fc.option(ports),
    protocol: fc.option(fc.constantFrom('tcp', 'udp', 'any', 47)),
    action: fc.constantFrom('allow', 'deny', 'alert'),
  }).map((r) => ({ from: r.from, to: r.to, action: r.action, ...(r.ports ? { ports: r.ports } : {}), ...(r.protocol !== null ? { protocol: r.protocol } : {}) }));
  return fc.record({
    mode: fc.constantFrom('enforce', 'observe'),
    default: fc.constantFrom('allow', 'deny', 'alert'),
    segments: fc.tuple(...names.map(() => segment)).map((ss) => Object.fromEntries(names.map((n, i) => [n, ss[i]!]))),
    rules: fc.array(rule, { maxLength: 10 }),
  });
}) as fc.Arbitrary<PolicyInput>;

const flow: fc.Arbitrary<Flow> = fc.record({
  src: fc.option(fc.constantFrom(...ADDRESSES), { freq: 8 }),
  dst: fc.option(fc.constantFrom(...ADDRESSES), { freq: 8 }),
  port: fc.option(fc.constantFrom(22, 23, 53, 443, 1023, 1024, 5432, 5999)),
  proto: fc.option(fc.constantFrom(6, 17, 47, 1)),
  action: fc.option(fc.constantFrom('ACCEPT' as const, 'REJECT' as const)),
});

describe('evaluateBatch agrees with the reference evaluator', () => {
  it('on random IPAM, policies and flows', () => {
    fc.assert(fc.property(fc.array(record, { maxLength: 10 }), policy, fc.array(flow, { minLength: 1, maxLength: 40 }), (records, input, flows) => {
      const model = modelOf(records);
      const pol = policyOf(input);
      const compiled = compilePolicy(pol, model);
      const b = batchOf(flows);
      const [s, d] = idsOf(model, b);
      const v = evaluateBatch(compiled, b, s, d);
      const got = toRows(b, v, { policy: compiled }).map((r, i) => ({ row: v.rows[i], src: r.src_segment, dst: r.dst_segment, decision: r.decision, rule: r.rule, kind: r.kind, observe: r.observe }));
      const want = flows.flatMap((f, row) => {
        if (f.src === null || f.dst === null) return [];
        const src = referenceSegment(pol, model, f.src), dst = referenceSegment(pol, model, f.dst);
        const x = referenceDecision(pol, src, dst, f.proto ?? null, f.port ?? null);
        if (x.decision === 'allow') return [];
        const kind = f.action === 'ACCEPT' ? 'breach' : f.action === 'REJECT' ? 'attempt' : 'unknown';
        return [{ row, src, dst, decision: x.decision, rule: x.rule >= 0 ? pol.rules[x.rule]!.name : 'default', kind, observe: pol.mode === 'observe' ? 1 : 0 }];
      });
      expect(got).toEqual(want);
    }), { numRuns: 400 });
  });

  it('shadowed rules decide nothing: removing them changes no decision', () => {
    fc.assert(fc.property(fc.array(record, { maxLength: 10 }), policy, fc.array(flow, { minLength: 1, maxLength: 40 }), (records, input, flows) => {
      const model = modelOf(records);
      const pol = policyOf(input);
      const compiled = compilePolicy(pol, model);
      const shadowed = new Set(compiled.warnings.filter((w) => w.kind === 'shadowed-rule').map((w) => w.rule));
      if (shadowed.size === 0) return;
      const fewer = compilePolicy({ ...pol, rules: pol.rules.filter((r) => !shadowed.has(r.name)) }, model);
      const b = batchOf(flows);
      const [s, d] = idsOf(model, b);
      const rows = (p: typeof compiled) => toRows(b, evaluateBatch(p, b, s, d), { policy: p }).map((r) => [r.decision, r.rule]);
      expect(rows(fewer)).toEqual(rows(compiled));
    }), { numRuns: 300 });
  });
});
