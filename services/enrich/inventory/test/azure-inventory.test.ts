/**
 * Azure inventory: a bad subnet costs only that subnet, a bad VNet or NIC
 * only itself, and problems name the item by index and name.
 */
import { describe, expect, it } from 'vitest';
import { readAzureInventory, resourceIdParts } from '../azure-inventory.js';

const SUB = '/subscriptions/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/resourceGroups/rg-net';

describe('readAzureInventory', () => {
  it('skips a malformed subnet but keeps its VNet and siblings', () => {
    const vnets = [{
      id: `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet-a`,
      name: 'vnet-a',
      location: 'northeurope',
      addressSpace: { addressPrefixes: ['10.8.0.0/16'] },
      subnets: [
        { name: 'snet-ok', id: `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-ok`, addressPrefix: '10.8.1.0/24' },
        { name: 'snet-bad', addressPrefix: '10.8.2.0/240' },
        { name: 'snet-empty' },
      ],
      tags: null,
    }, {
      id: 'vnet-b',
      name: 'vnet-b',
      addressSpace: { addressPrefixes: ['10.9.0.0/16'] },
    }, {
      id: `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet-c`,
      name: 'vnet-c',
      addressSpace: { addressPrefixes: [42] },
    }];
    const r = readAzureInventory([{ origin: 'vnets.json', json: vnets }]);
    expect(r.records.map((x) => [x.cidr, x.attrs.subnet])).toEqual([['10.8.0.0/16', undefined], ['10.8.1.0/24', 'vnet-a/snet-ok']]);
    expect(r.problems).toEqual([
      'vnets.json [0] (vnet-a) subnets[1] (snet-bad): addressPrefix "10.8.2.0/240" is not an IPv4/IPv6 CIDR (address/length)',
      'vnets.json [0] (vnet-a) subnets[2] (snet-empty): has neither addressPrefix nor addressPrefixes',
      'vnets.json [1] (vnet-b): id "vnet-b" is not an Azure resource id (/subscriptions/<id>/resourceGroups/...)',
      'vnets.json [2] (vnet-c): addressSpace.addressPrefixes[0] is the number 42, expected a CIDR string',
    ]);
  });

  it('names a NIC without addresses or with a bad one', () => {
    const nics = [
      { id: `${SUB}/providers/Microsoft.Network/networkInterfaces/nic-1`, name: 'nic-1', ipConfigurations: [] },
      { id: `${SUB}/providers/Microsoft.Network/networkInterfaces/nic-2`, name: 'nic-2', ipConfigurations: [{ privateIPAddress: '10.8.1.999' }] },
    ];
    expect(readAzureInventory([{ origin: 'nics.json', json: nics }]).problems).toEqual([
      'nics.json [0] (nic-1): no ipConfigurations with a privateIPAddress',
      'nics.json [1] (nic-2): ipConfigurations[0].privateIPAddress "10.8.1.999" is not an IPv4/IPv6 address',
    ]);
  });

  it('fails a document that is neither vnet list nor nic list', () => {
    expect(() => readAzureInventory([{ origin: 'x.json', json: { value: [] } }])).toThrow(/^x\.json: not the output of "az network vnet list" or "az network nic list"/);
  });
});

describe('resourceIdParts', () => {
  it('keys segments case-insensitively, as az mixes resourceGroups and resourcegroups', () => {
    const parts = resourceIdParts('/subscriptions/s1/resourcegroups/RG-X/providers/Microsoft.Network/virtualNetworks/v1/subnets/default');
    expect([parts.get('subscriptions'), parts.get('resourcegroups'), parts.get('virtualnetworks'), parts.get('subnets')]).toEqual(['s1', 'RG-X', 'v1', 'default']);
  });
});
