/**
 * Conformance with an independent implementation: the Elastic integrations'
 * Azure NSG and VNet pipelines (see ABOUT.md in each corpus folder). The peer
 * keeps one event per record with the tuples nested inside; we emit one row
 * per tuple, so their per-tuple objects are compared with our rows in order,
 * and their de-duplicated top-level arrays with the sets of our values.
 *
 * Differences by taste, not compared literally:
 * - MACs: the peer upper-cases and hyphenates (00-0D-3A-F8-78-56); we keep the
 *   MAC as logged (the `mac` column promises that), so both are normalized here.
 * - Names vs codes: the peer spells out TCP / Inbound / Allowed / End; we store
 *   IANA numbers, ingress|egress, ACCEPT|REJECT and the state letter, like the
 *   AWS columns, so one query works across providers.
 * - NSG v1 (8-field) tuples: the peer drops them silently; we parse them (with
 *   null state and counters). The corpus has none; the golden nsg-v1 file covers them.
 * - VNet subscription: the peer takes it from flowLogResourceID, we prefer
 *   targetResourceID (the resource the flows belong to); same GUID here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../../schemas/flow.js';
import { looksLikeAzureJson } from '../json-parser.js';
import { parseAll } from './helpers.js';
import { conformanceCorpus } from '../../../../test/paths.js';

// Not run when the corpus is absent (a plain clone), failed when it is required (test/paths.ts).
const corpus = conformanceCorpus();
const read = (dir: string, f: string) => readFileSync(join(corpus.dir, dir, f));

/** The peer's documents are free-form JSON. */
type Doc = any;

const PROTO: Record<string, number> = { TCP: 6, UDP: 17 };
const DIRECTION: Record<string, string> = { Inbound: 'ingress', Outbound: 'egress' };
const DECISION: Record<string, string> = { Allowed: 'ACCEPT', Denied: 'REJECT' };
const STATE: Record<string, string> = { Begin: 'B', Continuing: 'C', End: 'E', Deny: 'D' };
const normMac = (m: string) => m.replace(/-/g, '').toUpperCase();
const sorted = <T>(xs: Iterable<T>) => [...new Set(xs)].sort();

/** The tuple fields both sides have, in our vocabulary, with the rule and MAC of its group. */
function fromPeerTuple(t: Doc, vnet: boolean, rule: string, mac: string) {
  return {
    rule, mac: normMac(mac),
    start_time: t.timestamp, end_time: t.timestamp,
    src_addr: t.source.ip, src_port: t.source.port, dst_addr: t.destination.ip, dst_port: t.destination.port,
    protocol: vnet ? Number(t.protocol) : PROTO[t.protocol],
    flow_direction: DIRECTION[vnet ? t.flow.direction : t.traffic.flow],
    action: vnet ? (t.flow.state === 'Deny' ? 'REJECT' : 'ACCEPT') : DECISION[t.traffic.decision],
    flow_state: STATE[vnet ? t.flow.state : t.flow_state],
    ...(vnet ? { encryption: t.flow.encryption } : {}),
    packets: t.packets.sent, bytes: t.bytes.sent, reverse_packets: t.packets.received, reverse_bytes: t.bytes.received,
  };
}

function ours(r: FlowRecord, vnet: boolean) {
  return {
    rule: r.rule, mac: normMac(r.mac ?? ''),
    start_time: r.start_time, end_time: r.end_time,
    src_addr: r.src_addr, src_port: r.src_port, dst_addr: r.dst_addr, dst_port: r.dst_port,
    protocol: r.protocol, flow_direction: r.flow_direction, action: r.action, flow_state: r.flow_state,
    ...(vnet ? { encryption: r.encryption } : {}),
    packets: r.packets, bytes: r.bytes, reverse_packets: r.reverse_packets, reverse_bytes: r.reverse_bytes,
  };
}

/** The peer's top-level aggregates, which it builds through a hash set: compared as sets. */
function compareAggregates(exp: Doc, rows: FlowRecord[]) {
  expect(sorted(exp.source.ip)).toEqual(sorted(rows.map((r) => r.src_addr)));
  expect(sorted(exp.destination.ip)).toEqual(sorted(rows.map((r) => r.dst_addr)));
  expect(sorted(exp.source.port)).toEqual(sorted(rows.map((r) => r.src_port)));
  expect(sorted(exp.destination.port)).toEqual(sorted(rows.map((r) => r.dst_port)));
  expect(sorted(exp.source.packets)).toEqual(sorted(rows.map((r) => r.packets)));
  expect(sorted(exp.source.bytes)).toEqual(sorted(rows.map((r) => r.bytes)));
  expect(sorted(exp.destination.packets)).toEqual(sorted(rows.map((r) => r.reverse_packets)));
  expect(sorted(exp.destination.bytes)).toEqual(sorted(rows.map((r) => r.reverse_bytes)));
  expect(sorted(exp.network.direction)).toEqual(sorted(rows.map((r) => (r.flow_direction === 'ingress' ? 'inbound' : 'outbound'))));
  expect(sorted(exp.rule.name)).toEqual(sorted(rows.map((r) => r.rule)));
  expect(sorted([exp.source.mac].flat().map(normMac))).toEqual(sorted(rows.map((r) => normMac(r.mac!))));
  expect(rows.every((r) => r.account_id === exp.azure.subscription_id)).toBe(true);
  expect(rows.every((r) => r.provider === exp.cloud.provider && r.log_status === 'OK')).toBe(true);
}

describe.runIf(corpus.present)('conformance: azure-nsg', () => {
  // read in beforeAll, not while collecting: a suite that is not run reads nothing
  let input: Buffer;
  let expected: Doc[];
  beforeAll(() => {
    input = read('azure-nsg', 'test-nsg.log');
    expected = JSON.parse(read('azure-nsg', 'test-nsg.log-expected.json').toString()).expected;
  });

  it('reads the corpus file as Azure flow-log JSON', () => {
    expect(looksLikeAzureJson(input)).toBe(true);
  });

  it('matches the peer per tuple and per record', () => {
    const lines = input.toString().split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBe(expected.length);
    lines.forEach((line, i) => {
      const { rows, rejects } = parseAll(line);
      const exp = expected[i]!;
      const log = exp.azure_network_watcher_nsg.log;
      const tuples = log.properties.flows.flatMap((f: Doc) =>
        f.flows.flatMap((m: Doc) => m.tuples.map((t: Doc) => fromPeerTuple(t, false, f.rule, m.mac))));
      expect(rejects).toEqual([]);
      expect(rows.map((r) => ours(r, false))).toEqual(tuples);
      compareAggregates(exp, rows);
      expect(sorted(exp.network.transport)).toEqual(sorted(rows.map((r) => (r.protocol === 6 ? 'tcp' : 'udp'))));
      for (const r of rows) {
        expect(r).toMatchObject({ log_type: 'nsg', version: Number(log.properties.version), resource_id: log.resource_id });
      }
    });
  });

  it('parses the raw blob: 11 tuples, no rejects', () => {
    const { rows, rejects, logType } = parseAll(read('azure-nsg', 'sample-testdata.log'));
    expect(rejects).toEqual([]);
    expect(rows.length).toBe(11);
    expect(logType).toBe('nsg');
  });
});

describe.runIf(corpus.present)('conformance: azure-vnet', () => {
  // read in beforeAll, not while collecting: a suite that is not run reads nothing
  let input: Buffer;
  let expected: Doc[];
  beforeAll(() => {
    input = read('azure-vnet', 'test-vnet.log');
    expected = JSON.parse(read('azure-vnet', 'test-vnet.log-expected.json').toString()).expected;
  });

  it('matches the peer per tuple and per record', () => {
    expect(looksLikeAzureJson(input)).toBe(true);
    const lines = input.toString().split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBe(expected.length);
    lines.forEach((line, i) => {
      const { rows, rejects } = parseAll(line);
      const exp = expected[i]!;
      const log = exp.azure_network_watcher_vnet.log;
      const tuples = log.records.flows.flatMap((f: Doc) =>
        f.groups.flatMap((g: Doc) => g.tuples.map((t: Doc) => fromPeerTuple(t, true, g.rule, log.mac_address))));
      expect(rejects).toEqual([]);
      expect(rows.map((r) => ours(r, true))).toEqual(tuples);
      compareAggregates(exp, rows);
      expect(sorted(exp.network.iana_number)).toEqual(sorted(rows.map((r) => String(r.protocol))));
      for (const r of rows) {
        expect(r).toMatchObject({ log_type: 'vnet', version: Number(log.flow_log.version), resource_id: log.target_resource_id });
      }
    });
  });

  it('parses the raw blob: 19 tuples, no rejects', () => {
    const { rows, rejects, logType } = parseAll(read('azure-vnet', 'sample-testdata.log'));
    expect(rejects).toEqual([]);
    expect(rows.length).toBe(19);
    expect(logType).toBe('vnet');
  });
});
