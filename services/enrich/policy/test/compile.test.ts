/**
 * What compiling yields besides decisions: the matrix layout (one int for a
 * plain cell, a rule list only where ports or protocols matter) and the
 * warnings `flowlog policy check` shows.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../../../schemas/policy.js';
import { compilePolicy } from '../compile.js';
import { explainPolicy } from '../explain.js';
import { decide, outcomeDecision, outcomeRule } from '../matrix.js';
import { modelOf, policyOf, rec } from './helpers.js';

const model = modelOf([
  rec('10.1.0.0/16', { env: 'prod' }),
  rec('10.1.2.0/24', { segment: 'pci' }),
  rec('10.2.0.0/16', { env: 'dev' }),
]);
const SEGMENTS: PolicyInput['segments'] = { pci: { match: { segment: 'pci' } }, prod: { match: { env: 'prod' } }, dev: { match: { env: 'dev' } } };
const compile = (input: PolicyInput) => compilePolicy(policyOf(input), model);
const warnings = (input: PolicyInput) => compile(input).warnings.map((w) => [w.kind, w.rule ?? w.segment]);

describe('compilePolicy', () => {
  it('maps IPAM entries to segments, first match in order (a pci subnet inside a prod VPC is pci)', () => {
    const p = compile({ segments: SEGMENTS });
    const seg = (cidr: string) => p.segmentNames[p.entrySegment[model.entries.findIndex((e) => e.cidr === cidr) + 1]!];
    expect([seg('10.1.0.0/16'), seg('10.1.2.0/24'), seg('10.2.0.0/16'), seg('0.0.0.0/0')]).toEqual(['prod', 'pci', 'dev', 'unsegmented']);
    expect(p.entrySegment[0]).toBe(p.unsegmented);
    expect(p.cidr.table).toBeNull();
  });

  it('holds one outcome per plain cell and a rule list only where ports or protocols matter', () => {
    const p = compile({
      segments: SEGMENTS,
      rules: [
        { name: 'db', from: 'prod', to: 'pci', ports: [5432], protocol: 'tcp', action: 'allow' },
        { name: 'dns', from: 'any', to: 'pci', ports: [53], action: 'allow' },
        { name: 'rest', from: 'prod', to: 'pci', action: 'alert' },
        { name: 'dev', from: 'dev', to: 'any', action: 'deny' },
      ],
      default: 'allow',
    });
    const { matrix: m } = p;
    const id = (n: string) => p.segmentNames.indexOf(n);
    expect(m.size).toBe(4);
    expect(m.cells[id('dev') * m.size + id('prod')]).toBeGreaterThanOrEqual(0);
    expect(m.cells[id('prod') * m.size + id('pci')]).toBeLessThan(0);
    // dev -> pci: the dns exception comes first, then dev's deny
    const o = decide(m, id('dev'), id('pci'), 17, 53);
    expect([outcomeDecision(o), outcomeRule(o)]).toEqual([0, 1]);
    const o2 = decide(m, id('dev'), id('pci'), 6, 443);
    expect([outcomeDecision(o2), outcomeRule(o2)]).toEqual([1, 3]);
    // lists are shared between cells with the same rules and fallback: pci and unsegmented -> pci use one
    const e = explainPolicy(p, model);
    expect(e.conditional.map((c) => [c.pairs.map((x) => x.join('>')).join(' '), c.rules.length, c.otherwise])).toEqual([
      ['pci>pci unsegmented>pci', 1, 'allow (default)'],
      ['prod>pci', 2, 'alert (rule rest)'],
      ['dev>pci', 1, 'deny (rule dev)'],
    ]);
    expect(e.matrix.cells[id('prod')]![id('pci')]).toBe('ports/alert');
  });

  it('warns about rules naming no segment', () => {
    expect(warnings({ segments: SEGMENTS, rules: [{ name: 'typo', from: 'pcii', to: 'any', action: 'deny' }, { name: 'half', from: ['dev', 'qa'], to: 'pci', action: 'deny' }] }))
      .toEqual([['unknown-segment', 'typo'], ['unknown-segment', 'half']]);
    const w = compile({ segments: SEGMENTS, rules: [{ name: 'typo', from: 'pcii', to: 'any', action: 'deny' }] }).warnings[0]!;
    expect(w.message).toContain('"pcii" is no segment, so the rule never matches (segments: pci, prod, dev; or any, unsegmented)');
  });

  it('warns about rules an earlier one always decides first', () => {
    expect(warnings({ segments: SEGMENTS, rules: [
      { name: 'a', from: 'dev', to: 'pci', action: 'deny' },
      { name: 'same-pair', from: 'dev', to: 'pci', action: 'alert' }, // shadowed by a
      { name: 'wider', from: 'any', to: 'prod', action: 'alert' },
      { name: 'under-any', from: 'dev', to: 'prod', ports: [22], action: 'deny' }, // shadowed by wider
      { name: 'ports', from: 'prod', to: 'dev', ports: ['20-30'], protocol: 'tcp', action: 'deny' },
      { name: 'subset', from: 'prod', to: 'dev', ports: [22], protocol: 'tcp', action: 'allow' }, // shadowed by ports
      { name: 'other-proto', from: 'prod', to: 'dev', ports: [22], protocol: 'udp', action: 'allow' }, // reachable
      { name: 'partly', from: ['dev', 'prod'], to: 'pci', action: 'alert' }, // hidden for dev only: reachable
    ] })).toEqual([['shadowed-rule', 'same-pair'], ['shadowed-rule', 'under-any'], ['shadowed-rule', 'subset']]);
  });

  it('warns about segments that get no address', () => {
    expect(warnings({ segments: {
      prod: { match: { env: 'prod' } },
      pci: { match: { segment: 'pci' } }, // 10.1.2.0/24 has env=prod (inherited) and segment=pci: prod took it
      ghost: { match: { env: 'qa' } }, // nothing has env=qa
      wide: { cidrs: ['192.0.2.0/24'] },
      inner: { cidrs: ['192.0.2.64/26'] }, // inside an earlier CIDR segment
      vpc: { cidrs: ['10.1.9.0/24'] }, // inside prod's 10.1.0.0/16, nothing nested: prod wins
      mixed: { cidrs: ['10.1.0.0/16', '198.51.100.0/24'] }, // one CIDR still reachable
    } })).toEqual([['empty-segment', 'pci'], ['empty-segment', 'ghost'], ['empty-segment', 'inner'], ['empty-segment', 'vpc']]);
  });

  it('has no warnings for a clean policy', () => {
    expect(warnings({ segments: SEGMENTS, rules: [{ from: 'dev', to: 'pci', action: 'deny' }, { from: 'prod', to: 'pci', ports: [5432], action: 'allow' }] })).toEqual([]);
  });
});
