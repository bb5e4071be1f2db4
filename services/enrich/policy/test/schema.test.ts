/** The policy file: every mistake is reported with its key and what to write instead; valid files come out normalized. */
import { describe, expect, it } from 'vitest';
import { FlowlogError } from '../../../core/errors.js';
import { parsePolicy } from '../load.js';

const BASE = 'segments:\n  pci: { match: { segment: pci } }\n';

function problems(yaml: string): string {
  try { parsePolicy(yaml, 'p.yaml'); } catch (e) {
    expect(e).toBeInstanceOf(FlowlogError);
    expect((e as FlowlogError).code).toBe('CONFIG_INVALID');
    return (e as FlowlogError).message;
  }
  throw new Error('expected the policy to be rejected');
}

describe('policy schema', () => {
  it.each([
    ['an unknown top-level key', `${BASE}mdoe: observe\n`, /\(top level\): unknown key mdoe/],
    ['a bad mode', `${BASE}mode: audit\n`, /mode: got "audit"; expected one of "enforce", "observe"/],
    ['a bad default', `${BASE}default: block\n`, /default: got "block"; expected one of "allow", "deny", "alert"/],
    ['an unknown match attribute', 'segments:\n  pci: { match: { sgement: pci } }\n', /segments\.pci\.match\.sgement: .*expected an IPAM attribute: name, vpc, .* or tags\.<key>/],
    ['tags as a nested map', 'segments:\n  pci: { match: { tags: { compliance: pci-dss } } }\n', /segments\.pci\.match\.tags: .*tags\.<key>: value/],
    ['an empty match', 'segments:\n  pci: { match: {} }\n', /segments\.pci\.match: .*at least one attribute/],
    ['a segment with no criteria', 'segments:\n  pci: {}\n', /segments\.pci: .*needs match: .*internal: true\|false, or cidrs:/],
    ['cidrs mixed with match', 'segments:\n  pci: { match: { env: prod }, cidrs: [10.0.0.0/8] }\n', /segments\.pci\.cidrs: .*either cidrs or match\/internal, not both/],
    ['an unquoted number', 'segments:\n  fin: { match: { cost_center: 4711 } }\n', /segments\.fin\.match\.cost_center: got 4711; expected .*quote numbers/],
    ['a reserved name', 'segments:\n  any: { match: { env: prod } }\n', /segments\.any: .*"any" is reserved/],
    ['a name starting with a digit', 'segments:\n  1x: { match: { env: prod } }\n', /segments\.1x: .*starting with a letter/],
    ['no segments', 'segments: {}\n', /segments: .*at least one segment/],
    ['a bad CIDR', 'segments:\n  o: { cidrs: [10.0.0.0/33] }\n', /segments\.o\.cidrs\[0\]: got "10\.0\.0\.0\/33"; expected a CIDR like .*exceeds \/32/],
    ['host bits', 'segments:\n  o: { cidrs: [10.1.2.3/16] }\n', /segments\.o\.cidrs\[0\]: .*without host bits/],
    ['a bad action', `${BASE}rules: [ { from: any, to: pci, action: block } ]\n`, /rules\[0\]\.action: got "block"; expected one of "allow", "deny", "alert"/],
    ['a missing from', `${BASE}rules: [ { to: pci, action: deny } ]\n`, /rules\[0\]\.from: missing; expected a segment name, any, unsegmented, or a list/],
    ['a reversed port range', `${BASE}rules: [ { from: any, to: pci, ports: [22, "9000-8000"], action: deny } ]\n`, /rules\[0\]\.ports\[1\]: .*the low end first: "8000-9000"/],
    ['a port out of range', `${BASE}rules: [ { from: any, to: pci, ports: [70000], action: deny } ]\n`, /rules\[0\]\.ports\[0\]: got 70000; expected a port 0-65535/],
    ['ports with icmp', `${BASE}rules: [ { from: any, to: pci, ports: [22], protocol: icmp, action: deny } ]\n`, /rules\[0\]\.ports: .*no ports with ICMP/],
    ['a bad protocol', `${BASE}rules: [ { from: any, to: pci, protocol: tcpp, action: deny } ]\n`, /rules\[0\]\.protocol: got "tcpp"; expected tcp, udp, icmp, icmpv6, any, or an IANA protocol number/],
    ['an unknown rule key', `${BASE}rules: [ { from: any, to: pci, port: 22, action: deny } ]\n`, /rules\[0\]: unknown key port/],
    ['a duplicate rule name', `${BASE}rules: [ { name: a, from: any, to: pci, action: deny }, { name: a, from: pci, to: any, action: alert } ]\n`, /rules\[1\]\.name: .*rules\[0\] is also "a"/],
  ])('names the key: %s', (_, yaml, re) => {
    expect(problems(yaml)).toMatch(re);
  });

  it('reports every problem at once', () => {
    const m = problems('mode: x\nsegments:\n  a: {}\nrules: [ { from: a, to: a, action: nope } ]\n');
    expect(m).toMatch(/has 3 problems/);
  });

  it('rejects YAML that does not parse, naming the file', () => {
    expect(problems('segments: [ {')).toMatch(/p\.yaml is not valid YAML/);
  });

  it('normalizes: defaults, lists, protocols, port ranges, rule names, segment order', () => {
    const p = parsePolicy([
      'segments:',
      '  zeta: { match: { env: prod, tags.team: [a, b] } }',
      '  alpha: { cidrs: [203.0.113.0/24, "2001:db8::/32", 192.0.2.1] }',
      '  beta: { internal: false }',
      'rules:',
      '  - { from: zeta, to: [alpha, beta], ports: [5432, "8000-8100"], protocol: tcp, action: allow }',
      '  - { name: r2, from: [any], to: unsegmented, protocol: 47, action: alert }',
    ].join('\n'));
    expect(p.mode).toBe('enforce');
    expect(p.default).toBe('allow');
    expect(p.segments).toEqual([
      { name: 'zeta', kind: 'attributes', match: { env: ['prod'], 'tags.team': ['a', 'b'] }, internal: null },
      { name: 'alpha', kind: 'cidrs', cidrs: ['203.0.113.0/24', '2001:db8::/32', '192.0.2.1'] },
      { name: 'beta', kind: 'attributes', match: {}, internal: false },
    ]);
    expect(p.rules).toEqual([
      { name: 'rules[0]', from: ['zeta'], to: ['alpha', 'beta'], ports: [[5432, 5432], [8000, 8100]], protocol: 6, action: 'allow' },
      { name: 'r2', from: ['any'], to: ['unsegmented'], ports: null, protocol: 47, action: 'alert' },
    ]);
  });
});
