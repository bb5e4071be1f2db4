/**
 * Conformance with Microsoft's documentation: the NSG flow log (version 2)
 * and virtual network flow log samples of the Network Watcher docs, under
 * conformance-docs/ (the VNet sample adds a Continuing tuple with encryption X
 * and a Deny tuple, in the documented tuple layout). Each parses to its
 * committed canonical rows (written once by the parser, then read field by
 * field against the docs); the checks below restate what the docs say the
 * tuple fields mean, so the golden is not its own proof. Always run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../../schemas/flow.js';
import { fromNdjson, parseAll } from './helpers.js';

const DIR = fileURLToPath(new URL('./conformance-docs/', import.meta.url));

function parse(file: string): FlowRecord[] {
  const { rows, rejects } = parseAll(readFileSync(DIR + file), { source: file });
  expect(rejects).toEqual([]);
  return rows;
}

describe('Azure documentation examples', () => {
  for (const file of ['nsg-v2.json', 'vnet.json']) {
    it(`${file}: equals its committed canonical rows`, () => {
      expect(parse(file)).toEqual(fromNdjson(readFileSync(DIR + file.replace(/\.json$/, '.expected.ndjson'), 'utf8')));
    });
  }

  it('NSG v2 tuples: time,src,dst,sport,dport,T|U,I|O,A|D,B|C|E,packets s->d,bytes s->d,packets d->s,bytes d->s', () => {
    const rows = parse('nsg-v2.json');
    const begin = rows.find((r) => r.src_port === 44931)!;
    // "1542110377,10.0.0.4,13.67.143.118,44931,443,T,O,A,B,,,,": TCP out to HTTPS, allowed, Begin (no statistics yet)
    expect(begin).toMatchObject({
      provider: 'azure', log_type: 'nsg', version: 2, start_time: new Date(1542110377 * 1000).toISOString(),
      src_addr: '10.0.0.4', dst_addr: '13.67.143.118', dst_port: 443, protocol: 6, flow_direction: 'egress', action: 'ACCEPT', flow_state: 'B',
      packets: null, bytes: null, reverse_packets: null, reverse_bytes: null,
      rule: 'DefaultRule_AllowInternetOutBound', mac: '000D3AF87856', account_id: '00000000-0000-0000-0000-000000000000',
    });
    // Continuing: statistics since the last update, each direction on its own
    expect(rows.find((r) => r.flow_state === 'C')).toMatchObject({ packets: 30, bytes: 16978, reverse_packets: 24, reverse_bytes: 14008 });
    expect(rows.find((r) => r.flow_state === 'E')).toMatchObject({ packets: 1, bytes: 66, reverse_packets: 1, reverse_bytes: 66 });
    // U = UDP (17), I = inbound, D = denied
    expect(rows[0]).toMatchObject({ protocol: 17, flow_direction: 'ingress', action: 'REJECT', rule: 'DefaultRule_DenyAllInBound' });
  });

  it('VNet tuples: millisecond time, IANA protocol number, state B|C|E|D, encryption X|NX', () => {
    const rows = parse('vnet.json');
    expect(rows[0]).toMatchObject({
      log_type: 'vnet', version: 4, start_time: new Date(1663146003599).toISOString(), src_addr: '10.0.0.6', dst_addr: '192.0.2.180',
      protocol: 6, flow_direction: 'egress', flow_state: 'B', encryption: 'NX', packets: 0, bytes: 0, action: 'ACCEPT',
      mac: '112233445566', resource_id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet',
    });
    expect(rows.map((r) => r.flow_state)).toEqual(['B', 'E', 'B', 'C', 'E', 'D']);
    expect(rows[3]).toMatchObject({ encryption: 'X', packets: 3, bytes: 705, reverse_packets: 4, reverse_bytes: 4569 });
    // D: the flow was denied; VNet logs carry no separate decision letter
    expect(rows[5]).toMatchObject({ action: 'REJECT', flow_direction: 'ingress', dst_port: 22, rule: 'DefaultRule_DenyAllInBound' });
  });
});
