/**
 * Compile + evaluate on hand-built IPAM models: every rule feature, segment
 * order across CIDR and attribute segments, unsegmented addresses, observe
 * mode, and the policy_violations rows.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../../../schemas/policy.js';
import { compilePolicy, type CompiledPolicy } from '../compile.js';
import { evaluateBatch, toRows, ViolationBatch } from '../evaluate.js';
import { batchOf, idsOf, modelOf, policyOf, rec, type Flow } from './helpers.js';

const model = modelOf([
  rec('10.1.0.0/16', { env: 'prod', owner: 'platform' }),
  rec('10.1.2.0/24', { segment: 'pci', owner: 'payments' }),
  rec('10.2.0.0/16', { env: 'dev', owner: 'devs' }),
  rec('10.3.0.0/16', { env: 'staging' }, { team: 'qa' }),
  rec('2600:1f18::/32', { env: 'prod' }),
]);

const EXAMPLE: PolicyInput = {
  mode: 'enforce',
  segments: {
    pci: { match: { segment: 'pci' } },
    prod: { match: { env: 'prod' } },
    dev: { match: { env: ['dev', 'staging'] } },
    office: { cidrs: ['203.0.113.0/24'] },
    internet: { match: { class: 'public' }, internal: false },
  },
  default: 'allow',
  rules: [
    { name: 'dev-to-pci', from: 'dev', to: 'pci', action: 'deny' },
    { name: 'pci-db', from: 'prod', to: 'pci', ports: [5432, '8000-8100'], protocol: 'tcp', action: 'allow' },
    { name: 'prod-to-pci-other', from: 'prod', to: 'pci', action: 'alert' },
    { name: 'any-to-office-ssh', from: 'any', to: 'office', ports: [22], action: 'deny' },
  ],
};

const compile = (input: PolicyInput, m = model) => compilePolicy(policyOf(input), m);

/** [src segment, dst segment, decision, rule, kind] of every flagged flow, by row. */
function judge(p: CompiledPolicy, flows: Flow[], m = model): Record<number, [string, string, string, string, string]> {
  const b = batchOf(flows);
  const [s, d] = idsOf(m, b);
  const v = evaluateBatch(p, b, s, d);
  const rows = toRows(b, v, { policy: p });
  return Object.fromEntries(rows.map((r, i) => [v.rows[i]!, [r.src_segment, r.dst_segment, r.decision, r.rule, r.kind]]));
}

describe('evaluateBatch', () => {
  const p = compile(EXAMPLE);

  it('decides the example policy: first match, ports and ranges, protocol, any, default', () => {
    const got = judge(p, [
      { src: '10.2.0.5', dst: '10.1.2.9', port: 443 }, // 0 dev -> pci: deny
      { src: '10.3.4.4', dst: '10.1.2.9', port: 5432 }, // 1 staging is dev too: deny (first match, before pci-db)
      { src: '10.1.7.5', dst: '10.1.2.9', port: 5432 }, // 2 prod -> pci tcp/5432: allowed
      { src: '10.1.7.5', dst: '10.1.2.9', port: 8100 }, // 3 range end: allowed
      { src: '10.1.7.5', dst: '10.1.2.9', port: 8101 }, // 4 past the range: alert
      { src: '10.1.7.5', dst: '10.1.2.9', port: 5432, proto: 17 }, // 5 udp: alert
      { src: '10.1.7.5', dst: '10.1.2.9', port: null, proto: null }, // 6 no port/protocol: port rules do not match
      { src: '8.8.8.8', dst: '203.0.113.5', port: 22, action: 'REJECT' }, // 7 internet -> office ssh: attempt
      { src: '10.1.2.9', dst: '203.0.113.5', port: 22, proto: 17 }, // 8 any protocol on port 22
      { src: '8.8.8.8', dst: '203.0.113.5', port: 23 }, // 9 default allow
      { src: '192.168.1.1', dst: '10.1.2.9', port: 1 }, // 10 unsegmented -> pci: default
      { src: '2600:1f18::7', dst: '10.1.2.3', port: 80, action: null }, // 11 IPv6 prod -> pci: alert, no action
      { src: null, dst: '10.1.2.3' }, // 12 no source address: never flagged
    ]);
    expect(got).toEqual({
      0: ['dev', 'pci', 'deny', 'dev-to-pci', 'breach'],
      1: ['dev', 'pci', 'deny', 'dev-to-pci', 'breach'],
      4: ['prod', 'pci', 'alert', 'prod-to-pci-other', 'breach'],
      5: ['prod', 'pci', 'alert', 'prod-to-pci-other', 'breach'],
      6: ['prod', 'pci', 'alert', 'prod-to-pci-other', 'breach'],
      7: ['internet', 'office', 'deny', 'any-to-office-ssh', 'attempt'],
      8: ['pci', 'office', 'deny', 'any-to-office-ssh', 'breach'],
      11: ['prod', 'pci', 'alert', 'prod-to-pci-other', 'unknown'],
    });
  });

  it('writes policy_violations rows', () => {
    const b = batchOf([{ src: '10.2.0.5', dst: '10.1.2.9', port: 443, bytes: 1234, packets: 7, srcOwner: 'devs', action: 'REJECT' }]);
    const [s, d] = idsOf(model, b);
    expect(toRows(b, evaluateBatch(p, b, s, d), { policy: p })).toEqual([{
      time: '2025-01-02T03:04:05.006Z', src_addr: '10.2.0.5', dst_addr: '10.1.2.9', src_segment: 'dev', dst_segment: 'pci',
      dst_port: 443, protocol: 6, action: 'REJECT', kind: 'attempt', decision: 'deny', rule: 'dev-to-pci', observe: 0,
      bytes: 1234, packets: 7, src_owner: 'devs', dst_owner: '', source: 's3://bucket/key.gz',
    }]);
  });

  it('observe mode: the same decisions, marked observe = 1', () => {
    const o = compile({ ...EXAMPLE, mode: 'observe' });
    const b = batchOf([{ src: '10.2.0.5', dst: '10.1.2.9' }, { src: '10.1.7.5', dst: '10.1.2.9', port: 5432 }]);
    const [s, d] = idsOf(model, b);
    const v = evaluateBatch(o, b, s, d);
    expect(v.observe).toBe(true);
    expect(toRows(b, v, { policy: o }).map((r) => [r.decision, r.rule, r.observe])).toEqual([['deny', 'dev-to-pci', 1]]);
  });

  it('default deny / alert for pairs no rule names, reported as rule "default"', () => {
    for (const dflt of ['deny', 'alert'] as const) {
      const d = compile({ ...EXAMPLE, default: dflt });
      expect(judge(d, [{ src: '8.8.8.8', dst: '10.2.0.1' }, { src: '10.1.7.5', dst: '10.1.2.9', port: 5432 }])).toEqual({
        0: ['internet', 'dev', dflt, 'default', 'breach'],
      });
    }
  });

  it('first match decides: the order of rules matters', () => {
    const rules: PolicyInput['rules'] = [
      { name: 'deny-all', from: 'prod', to: 'pci', action: 'deny' },
      { name: 'db', from: 'prod', to: 'pci', ports: [5432], action: 'allow' },
    ];
    const flow = [{ src: '10.1.7.5', dst: '10.1.2.9', port: 5432 }];
    expect(judge(compile({ ...EXAMPLE, rules }), flow)).toEqual({ 0: ['prod', 'pci', 'deny', 'deny-all', 'breach'] });
    expect(judge(compile({ ...EXAMPLE, rules: [...rules].reverse() }), flow)).toEqual({});
  });

  it('lists of segments, unsegmented, any including unsegmented, protocol numbers', () => {
    const q = compile({
      segments: EXAMPLE.segments,
      rules: [
        { name: 'gre', from: 'any', to: 'any', protocol: 47, action: 'alert' },
        { name: 'lists', from: ['dev', 'prod'], to: ['office', 'internet'], action: 'deny' },
        { name: 'loose', from: 'unsegmented', to: 'pci', action: 'alert' },
        { name: 'to-loose', from: 'any', to: 'unsegmented', ports: ['0-1023'], protocol: 'udp', action: 'deny' },
      ],
    });
    expect(judge(q, [
      { src: '192.168.1.1', dst: '192.168.1.2', proto: 47 }, // 0 unsegmented both sides, any matches
      { src: '10.2.0.1', dst: '8.8.8.8', port: 443 }, // 1 dev -> internet
      { src: '10.1.7.1', dst: '203.0.113.9', port: 443 }, // 2 prod -> office
      { src: '10.1.2.1', dst: '8.8.8.8', port: 443 }, // 3 pci is in neither list: allow
      { src: '192.168.9.9', dst: '10.1.2.1', port: 443 }, // 4 unsegmented -> pci
      { src: '10.1.2.1', dst: '192.168.9.9', port: 53, proto: 17 }, // 5 udp/53 to unsegmented
      { src: '10.1.2.1', dst: '192.168.9.9', port: 53, proto: 6 }, // 6 tcp: allow
      { src: '10.1.2.1', dst: '192.168.9.9', port: 5353, proto: 17 }, // 7 past the range: allow
    ])).toEqual({
      0: ['unsegmented', 'unsegmented', 'alert', 'gre', 'breach'],
      1: ['dev', 'internet', 'deny', 'lists', 'breach'],
      2: ['prod', 'office', 'deny', 'lists', 'breach'],
      4: ['unsegmented', 'pci', 'alert', 'loose', 'breach'],
      5: ['pci', 'unsegmented', 'deny', 'to-loose', 'breach'],
    });
  });

  it('matches tags.<key>, internal, and an attribute segment on its own', () => {
    const q = compile({
      segments: { qa: { match: { 'tags.team': 'qa' } }, ours: { internal: true }, theirs: { internal: false } },
      rules: [{ name: 'r', from: ['qa', 'ours'], to: 'theirs', action: 'alert' }],
    });
    expect(judge(q, [{ src: '10.3.1.1', dst: '8.8.8.8' }, { src: '192.168.0.1', dst: '1.1.1.1' }, { src: '8.8.8.8', dst: '1.1.1.1' }])).toEqual({
      0: ['qa', 'theirs', 'alert', 'r', 'breach'],
      1: ['ours', 'theirs', 'alert', 'r', 'breach'],
    });
  });

  it('segment order decides between CIDR and attribute segments, either way round', () => {
    const lab = { cidrs: ['10.1.2.128/25'] };
    const rules: PolicyInput['rules'] = [{ name: 'to-lab', from: 'any', to: 'lab', action: 'deny' }, { name: 'to-pci', from: 'any', to: 'pci', action: 'alert' }];
    const flows = [{ src: '8.8.8.8', dst: '10.1.2.200' }, { src: '8.8.8.8', dst: '10.1.2.1' }];
    const cidrFirst = compile({ segments: { lab, pci: { match: { segment: 'pci' } } }, rules });
    expect(judge(cidrFirst, flows)).toEqual({ 0: ['unsegmented', 'lab', 'deny', 'to-lab', 'breach'], 1: ['unsegmented', 'pci', 'alert', 'to-pci', 'breach'] });
    const attrsFirst = compile({ segments: { pci: { match: { segment: 'pci' } }, lab }, rules });
    expect(judge(attrsFirst, flows)).toEqual({ 0: ['unsegmented', 'pci', 'alert', 'to-pci', 'breach'], 1: ['unsegmented', 'pci', 'alert', 'to-pci', 'breach'] });
  });

  it('nested CIDRs of several segments: the first segment in order wins, not the longest prefix', () => {
    const rules: PolicyInput['rules'] = [{ from: 'any', to: 'any', action: 'alert' }];
    const flows = [{ src: '8.8.8.8', dst: '198.51.100.77' }, { src: '8.8.8.8', dst: '198.51.100.1' }, { src: '2001:db8:1::1', dst: '198.51.100.200' }];
    const outerFirst = compile({ segments: { wide: { cidrs: ['198.51.100.0/24', '2001:db8::/32'] }, narrow: { cidrs: ['198.51.100.64/26'] } }, rules });
    expect(Object.values(judge(outerFirst, flows)).map((x) => [x[0], x[1]])).toEqual([['unsegmented', 'wide'], ['unsegmented', 'wide'], ['wide', 'wide']]);
    const innerFirst = compile({ segments: { narrow: { cidrs: ['198.51.100.64/26'] }, wide: { cidrs: ['198.51.100.0/24', '2001:db8::/32'] } }, rules });
    expect(Object.values(judge(innerFirst, flows)).map((x) => [x[0], x[1]])).toEqual([['unsegmented', 'narrow'], ['unsegmented', 'wide'], ['wide', 'wide']]);
  });

  it('reuses an output batch, grows past its capacity, and checks the id arrays', () => {
    const flows = Array.from({ length: 1000 }, (_, i) => ({ src: `10.2.${i >> 8}.${i & 255}`, dst: '10.1.2.9' }));
    const b = batchOf(flows);
    const [s, d] = idsOf(model, b);
    const out = new ViolationBatch(false, 4);
    expect(evaluateBatch(p, b, s, d, out)).toBe(out);
    expect(out.length).toBe(1000);
    expect(Array.from(out.rows.subarray(0, 1000))).toEqual(flows.map((_, i) => i));
    evaluateBatch(p, b, s, d, out);
    expect(out.length).toBe(1000);
    expect(() => evaluateBatch(p, b, s.subarray(0, 10), d)).toThrow(RangeError);
  });

  it('flags nothing when a batch has no addresses', () => {
    const b = batchOf([{ src: null, dst: null }]);
    expect(evaluateBatch(compile({ ...EXAMPLE, default: 'deny' }), b, new Int32Array([-1]), new Int32Array([-1])).length).toBe(0);
  });
});
