/**
 * NetBox pages: the mapping decides which attribute each NetBox field fills,
 * deprecated objects are left out, and a malformed object is named by index,
 * prefix/address and id.
 */
import { describe, expect, it } from 'vitest';
import { readNetbox } from '../netbox.js';

const page = (results: unknown[]): unknown => ({ count: results.length, next: null, previous: null, results });

describe('readNetbox', () => {
  it('follows a custom mapping: role as segment, tenant only as owner, custom fields by name', () => {
    const json = page([{
      id: 5,
      prefix: '10.60.0.0/16',
      status: { value: 'active', label: 'Active' },
      tenant: { name: 'Data Platform', slug: 'data-platform' },
      role: { name: 'Restricted', slug: 'restricted' },
      custom_fields: { environment: { id: 3, name: 'prod' }, ticket: 'NET-9' },
    }]);
    const r = readNetbox(json, 'nb.json', { mapping: { role: ['segment'], tenant: ['owner'], tenantName: [], customFields: { env: ['env', 'environment'] } } });
    expect(r.records).toEqual([{ cidr: '10.60.0.0/16', source: 'netbox', origin: 'nb.json#prefix/5', attrs: { owner: 'data-platform', segment: 'Restricted', env: 'prod' } }]);
  });

  it('makes the tenant the owner by its slug and keeps its name as the tenant attribute; a tenant without a slug is slugified', () => {
    const json = page([
      { id: 1, prefix: '10.61.0.0/16', tenant: { id: 9, display: 'Network Engineering', name: 'Network Engineering', slug: 'neteng' } },
      { id: 2, prefix: '10.62.0.0/16', tenant: { name: 'Données Clients' } },
      { id: 3, prefix: '10.63.0.0/16', tenant: 'Site Reliability' },
    ]);
    expect(readNetbox(json, 'nb.json').records.map((x) => x.attrs)).toEqual([
      { owner: 'neteng', tenant: 'Network Engineering' },
      { owner: 'donnees-clients', tenant: 'Données Clients' },
      { owner: 'site-reliability', tenant: 'Site Reliability' },
    ]);
  });

  it('names malformed objects and skips them', () => {
    const json = page([
      { id: 1, prefix: '10.0.0.0/8' },
      { id: 2, prefix: '10.0.0/8' },
      { id: 3, address: 10 },
      { id: 4, name: 'neither' },
      { id: 5, prefix: '10.1.0.0/16', tags: [{ color: 'ff0000' }] },
      'junk',
    ]);
    const r = readNetbox(json, 'nb.json');
    expect(r.records.map((x) => x.cidr)).toEqual(['10.0.0.0/8']);
    expect(r.problems).toEqual([
      'nb.json results[1] (prefix 10.0.0/8, id 2): prefix "10.0.0/8" is not an IPv4/IPv6 CIDR (address/length)',
      'nb.json results[2] (id 3): address is the number 10, expected a CIDR string',
      'nb.json results[3] (id 4): has neither prefix (a prefix) nor address (an ip-address)',
      'nb.json results[4] (prefix 10.1.0.0/16, id 5): tags[0] has neither slug nor name',
      'nb.json results[5]: the item is the string "junk", expected an object',
    ]);
  });

  it('fails a document that is not a list page', () => {
    expect(() => readNetbox({ id: 1, prefix: '10.0.0.0/8' }, 'one.json')).toThrow('one.json: not a NetBox API page: expected {count, next, previous, results: [...]}, found keys id, prefix');
  });
});
