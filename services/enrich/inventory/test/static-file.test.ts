/**
 * Static file: a bad row or entry is skipped and named (line or index plus
 * its cidr); a bad header or document shape fails the file.
 */
import { describe, expect, it } from 'vitest';
import { IpamSourceError } from '../../ipam-record.js';
import { detectStaticFormat, readStaticFile } from '../static-file.js';

describe('static YAML', () => {
  it('skips an entry with an unknown key and suggests the attribute meant', () => {
    const r = readStaticFile('prefixes:\n  - cidr: 10.1.0.0/16\n    ownr: web\n  - cidr: 10.2.0.0/16\n    owner: db\n', 'ipam.yaml');
    expect(r.records.map((x) => x.cidr)).toEqual(['10.2.0.0/16']);
    expect(r.problems).toEqual(['ipam.yaml prefixes[0] (10.1.0.0/16): unknown key "ownr" (did you mean "owner"?) (free-form keys go under tags:)']);
  });

  it('names bad CIDRs, missing CIDRs, nested values and duplicates', () => {
    const yaml = [
      'prefixes:',
      '  - cidr: 10.1.0.0/33',
      '  - name: no-cidr',
      '  - cidr: 10.3.0.0/16',
      '    env: [prod, dev]',
      '  - cidr: 10.4.0.0/16',
      '  - cidr: 10.4.0.0/16',
      '  - just-a-string',
    ].join('\n');
    expect(readStaticFile(yaml, 'ipam.yml').problems).toEqual([
      'ipam.yml prefixes[0] (10.1.0.0/33): cidr "10.1.0.0/33" is not an IPv4/IPv6 CIDR (address/length)',
      'ipam.yml prefixes[1]: cidr is missing',
      'ipam.yml prefixes[2] (10.3.0.0/16): env is an array, expected a single value',
      'ipam.yml prefixes[4] (10.4.0.0/16): cidr 10.4.0.0/16 is already given by prefixes[3]',
      'ipam.yml prefixes[5]: is the string "just-a-string", expected a mapping with cidr and attributes',
    ]);
  });

  it('reports unknown top-level keys but still reads prefixes', () => {
    const r = readStaticFile('version: 2\nprefixes:\n  - cidr: 10.0.0.0/8\n', 'ipam.yaml');
    expect(r.records).toHaveLength(1);
    expect(r.problems).toEqual(['ipam.yaml top-level key "version": unknown key, ignored (only "prefixes" is read)']);
  });

  it('fails the file when there is no prefixes list or the YAML is broken', () => {
    expect(() => readStaticFile('prefix:\n  - cidr: 10.0.0.0/8\n', 'ipam.yaml')).toThrow(new IpamSourceError('ipam.yaml', 'expected a mapping with a "prefixes" list, found keys prefix'));
    expect(() => readStaticFile('prefixes: [\n', 'ipam.yaml')).toThrow(/^ipam\.yaml: not valid YAML at line \d+/);
  });
});

describe('static CSV', () => {
  it('skips rows with too many fields or a malformed tags cell, naming the line and cidr', () => {
    const csv = 'cidr,name,tags\n10.1.0.0/16,web,team=a\n10.2.0.0/16,db,tier,extra\n10.3.0.0/16,q,=nokey\n10.4.0.0/16\n';
    const r = readStaticFile(csv, 'ipam.csv');
    expect(r.records.map((x) => [x.cidr, x.origin])).toEqual([['10.1.0.0/16', 'ipam.csv#line 2'], ['10.4.0.0/16', 'ipam.csv#line 5']]);
    expect(r.problems).toEqual([
      'ipam.csv line 3 (10.2.0.0/16): 4 fields but the header has 3 (a value with a comma must be quoted)',
      'ipam.csv line 4 (10.3.0.0/16): tags entry "=nokey" is not key=value',
    ]);
  });

  it('fails the file on an unknown or repeated header column, or no cidr column', () => {
    expect(() => readStaticFile('cidr,onwer\n', 'x.csv')).toThrow('x.csv: header column 2 "onwer" is not cidr, tags or an attribute (did you mean "owner"?)');
    expect(() => readStaticFile('cidr,env,env\n', 'x.csv')).toThrow('x.csv: header column 3 "env" repeats column 2');
    expect(() => readStaticFile('name,env\n', 'x.csv')).toThrow('x.csv: header has no cidr column (found: name, env)');
    expect(() => readStaticFile('cidr,name\n10.0.0.0/8,"open\n', 'x.csv')).toThrow('x.csv: not valid CSV: line 2: quoted field is not closed');
  });
});

describe('detectStaticFormat', () => {
  it('uses the extension, else the first meaningful line', () => {
    expect(detectStaticFormat('prefixes: []', 'a.csv')).toBe('csv');
    expect(detectStaticFormat('cidr,name', 'a.yml')).toBe('yaml');
    expect(detectStaticFormat('# comment\n\nprefixes:\n', 'ipam')).toBe('yaml');
    expect(detectStaticFormat('cidr,name\n', 'ipam')).toBe('csv');
  });
});
