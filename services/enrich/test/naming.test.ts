/**
 * One spelling per owner, the right kind per problem: a NetBox tenant is an
 * owner by its slug, so `owners:` written with slugs knows it; a CIDR no
 * parser can read in a CSV or YAML file is a problem of kind `invalid` in
 * `flowlog ipam check`, not of kind `source`, and costs only its own row.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipamCommand } from '../../cli/commands/ipam.js';
import { readStaticFile } from '../inventory/static-file.js';
import { slugify } from '../inventory/slug.js';
import { loadIpam } from '../load.js';

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'flowlog-naming-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const netboxPage = (results: unknown[]) => JSON.stringify({ count: results.length, next: null, previous: null, results });
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

async function captureStdout(fn: () => Promise<number>): Promise<{ status: number; out: string }> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => { out += chunk.toString(); return true; }) as typeof process.stdout.write;
  try { return { status: await fn(), out }; } finally { process.stdout.write = write; }
}

describe('owner names across sources', () => {
  it('a NetBox tenant and the owners: list agree on the slug; the display name stays in tenant', async () => {
    const nb = file('netbox.json', netboxPage([
      { id: 1, prefix: '10.70.0.0/16', status: { value: 'active', label: 'Active' }, tenant: { id: 4, name: 'Network Engineering', slug: 'neteng' } },
    ]));
    const csv = file('ipam.csv', 'cidr,name,owner\n10.71.0.0/16,lab,neteng\n');
    const model = await loadIpam({ files: [nb, csv], rules: [], owners: ['neteng'] });
    expect(model.problems).toEqual([]);
    const entry = model.entries.find((e) => e.cidr === '10.70.0.0/16')!;
    expect(entry.attrs).toMatchObject({ owner: 'neteng', tenant: 'Network Engineering' });
  });
});

describe('an unparseable CIDR in a CSV or YAML source', () => {
  it('is kind invalid in the model and in ipam check, and only its row is skipped', async () => {
    const csv = file('bad.csv', 'cidr,owner\n10.80.0.0/16,neteng\n172.16.300.0/24,neteng\n');
    const yaml = file('bad.yaml', 'prefixes:\n  - { cidr: 10.81.0.0/16, owner: neteng }\n  - { cidr: 10.82.0.0/33, owner: neteng }\n  - { name: no-cidr, owner: neteng }\n');
    const model = await loadIpam({ files: [csv, yaml], rules: [], owners: ['neteng'] });
    expect(model.problems).toEqual([
      { kind: 'invalid', message: `${csv} line 3 (172.16.300.0/24): cidr "172.16.300.0/24" is not an IPv4/IPv6 CIDR (address/length)` },
      { kind: 'invalid', message: `${yaml} prefixes[1] (10.82.0.0/33): cidr "10.82.0.0/33" is not an IPv4/IPv6 CIDR (address/length)` },
      // a row without a CIDR is a problem of the source, not a value no parser reads
      { kind: 'source', message: `${yaml} prefixes[2]: cidr is missing` },
    ]);
    expect(model.entries.filter((e) => e.sources.includes('static')).map((e) => e.cidr).sort()).toEqual(['10.80.0.0/16', '10.81.0.0/16']);

    const enrich = file('enrich.yaml', `enrich:\n  files: [${csv}]\n  owners: [neteng]\n`);
    const r = await captureStdout(() => ipamCommand(['check', '--enrich', enrich]));
    expect(r.status).toBe(1);
    expect(r.out).toContain(`\ninvalid (1):\n  ${csv} line 3 (172.16.300.0/24): cidr "172.16.300.0/24" is not an IPv4/IPv6 CIDR`);
    expect(r.out).not.toContain('\nsource (');
  });

  it('any IPv4 with an octet over 255 is invalid, any well-formed CIDR is read', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const bad = fc.integer({ min: 256, max: 999 });
    fc.assert(fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 0, max: 3 }), bad, fc.integer({ min: 0, max: 32 }), (quad, at, wrong, len) => {
      const good = `${quad.join('.')}/${len}`;
      const typo = `${quad.map((o, i) => (i === at ? wrong : o)).join('.')}/${len}`;
      const r = readStaticFile(`cidr,owner\n${good},a\n${typo},b\n`, 'p.csv');
      expect(r.records.map((x) => x.cidr)).toEqual([good]);
      expect(r.problems).toEqual([`p.csv line 3 (${typo}): cidr "${typo}" is not an IPv4/IPv6 CIDR (address/length)`]);
      expect(r.invalid).toEqual(r.problems);
    }));
  });
});

describe('slugify', () => {
  it('gives a slug (lower case, digits, _ and -, no - at the ends or twice), and leaves a slug as it is', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
      const s = slugify(name);
      expect(s).toMatch(/^(?:[a-z0-9_]+(?:-[a-z0-9_]+)*)?$/);
      expect(slugify(s)).toBe(s);
    }));
    expect(slugify('Network Engineering')).toBe('network-engineering');
    expect(slugify('  Données / Clients  ')).toBe('donnees-clients');
  });
});
