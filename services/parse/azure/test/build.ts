/** Builds Azure flow log documents from plain tuple strings, for tests. */

export type Kind = 'nsg1' | 'nsg2' | 'vnet';

export const SUBSCRIPTION = '5A8C3E1F-9B2D-4C6E-8F01-23456789ABCD';
export const NSG_ID = `/SUBSCRIPTIONS/${SUBSCRIPTION}/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/VM1-NSG`;
export const VNET_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1`;

/** One record whose groups hold the given tuples; group g gets rule `rule-${g}` and MAC `MAC${g}`. */
export function record(kind: Kind, groups: readonly (readonly unknown[])[]): object {
  if (kind === 'vnet') {
    return {
      time: '2023-11-14T22:14:00.0000000Z', flowLogVersion: 4, macAddress: 'MAC0', category: 'FlowLogFlowEvent',
      targetResourceID: VNET_ID, operationName: 'FlowLogFlowEvent',
      flowRecords: { flows: [{ aclID: 'acl', flowGroups: groups.map((t, g) => ({ rule: `rule-${g}`, flowTuples: t })) }] },
    };
  }
  return {
    time: '2018-11-13T12:00:35.3899262Z', category: 'NetworkSecurityGroupFlowEvent', resourceId: NSG_ID,
    operationName: 'NetworkSecurityGroupFlowEvents',
    properties: {
      Version: kind === 'nsg1' ? 1 : 2,
      flows: groups.map((t, g) => ({ rule: `rule-${g}`, flows: [{ mac: `MAC${g}`, flowTuples: t }] })),
    },
  };
}

export const blob = (records: readonly object[]): string => JSON.stringify({ records });
export const ndjson = (records: readonly object[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');
