/** Document shapes, document-level rejects, log type and format sniffing. */
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../../../core/flow-batch.js';
import { RejectBatch } from '../../../core/rejects.js';
import { AzureJsonParser, looksLikeAzureJson } from '../json-parser.js';
import { blob, ndjson, record } from './build.js';
import { parseAll } from './helpers.js';

const T1 = '1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66';
const V1 = '1700000000123,10.0.0.6,52.239.184.180,23956,443,6,O,E,X,3,767,2,1580';
const nsgRec = record('nsg2', [[T1, T1]]);
const vnetRec = record('vnet', [[V1]]);
const brief = (r: ReturnType<typeof parseAll>) => r.rejects.map((x) => `${x.position} ${x.reason}`);

describe('document shapes', () => {
  it('a blob, a single record, and pretty-printed JSON', () => {
    expect(parseAll(blob([nsgRec, vnetRec])).rows.length).toBe(3);
    expect(parseAll(JSON.stringify(vnetRec)).rows.length).toBe(1);
    expect(parseAll(JSON.stringify({ records: [nsgRec] }, null, 2)).rows.length).toBe(2);
  });

  it('NDJSON of records and blobs, with CRLF, blank lines and a BOM', () => {
    const doc = `\ufeff${JSON.stringify(nsgRec)}\r\n\r\n${blob([vnetRec, nsgRec])}\r\n`;
    const r = parseAll(doc);
    expect(r.rejects).toEqual([]);
    expect(r.rows.map((x) => x.log_type)).toEqual(['nsg', 'nsg', 'vnet', 'nsg', 'nsg']);
  });

  it('Version / flowLogVersion written as strings still fill `version`', () => {
    const rec = record('nsg2', [[T1]]) as { properties: { Version: unknown } };
    rec.properties.Version = '2';
    expect(parseAll(JSON.stringify(rec)).rows[0]!.version).toBe(2);
  });

  it('positions: tuple paths, with the line number in NDJSON', () => {
    const badRec = record('vnet', [[V1], [V1, 'x']]);
    expect(brief(parseAll(blob([nsgRec, badRec])))).toEqual(['records[1].flows[0].flowGroups[1].flowTuples[1] BAD_TUPLE']);
    expect(brief(parseAll(JSON.stringify(badRec)))).toEqual(['flows[0].flowGroups[1].flowTuples[1] BAD_TUPLE']);
    expect(brief(parseAll(ndjson([nsgRec, badRec])))).toEqual(['2:flows[0].flowGroups[1].flowTuples[1] BAD_TUPLE']);
  });
});

describe('documents that are not Azure flow logs', () => {
  it('invalid JSON: one BAD_JSON for the document, even when pretty-printed', () => {
    const broken = JSON.stringify({ records: [nsgRec] }, null, 2).slice(0, -3);
    const r = parseAll(broken);
    expect(brief(r)).toEqual(['1 BAD_JSON']);
    expect(r.rows).toEqual([]);
  });

  it('NDJSON: one BAD_JSON per bad line, at its line number; the good lines still parse', () => {
    const doc = `${JSON.stringify(nsgRec)}\n{"records":[{"trunc\n[1,2]\n${JSON.stringify(vnetRec)}\n`;
    const r = parseAll(doc);
    expect(brief(r)).toEqual(['2 BAD_JSON', '3 BAD_JSON']);
    expect(r.rows.length).toBe(3);
  });

  it('valid JSON in another layout: one reject per document, however many records', () => {
    const activity = { records: [1, 2, 3].map((i) => ({ operationName: 'Microsoft.Compute/virtualMachines/write', id: i })) };
    const r = parseAll(JSON.stringify(activity));
    expect(brief(r)).toEqual(['1 BAD_JSON']);
    expect(r.logType).toBeNull();
    expect(brief(parseAll('{"a":1}'))).toEqual(['1 BAD_JSON']);
    expect(brief(parseAll('42'))).toEqual(['1 BAD_JSON']);
  });

  it('empty or blank documents: nothing to parse, nothing rejected', () => {
    for (const d of ['', '  \n\r\n', '\ufeff']) expect(parseAll(d)).toMatchObject({ rows: [], rejects: [] });
  });

  it('nested parts without their arrays: BAD_JSON at their path', () => {
    const rec = { ...record('nsg2', [[T1]]), properties: { Version: 2, flows: [{ rule: 'r', flows: [{ mac: 'M', flowTuples: [T1] }, { mac: 'M' }] }, 7] } };
    const r = parseAll(blob([rec]));
    expect(brief(r)).toEqual(['records[0].flows[0].flows[1] BAD_JSON', 'records[0].flows[1] BAD_JSON']);
    expect(r.rows.length).toBe(1);
  });
});

describe('logType', () => {
  it('is null until the first fill, then the type of the first flow record', () => {
    const p = new AzureJsonParser('s', Buffer.from(blob([vnetRec, nsgRec])));
    expect(p.logType).toBeNull();
    p.fill(new FlowBatch(16), new RejectBatch());
    expect(p.logType).toBe('vnet');
  });
});

describe('looksLikeAzureJson', () => {
  const head = (s: string) => Buffer.from(s);
  it('accepts blobs, single records and NDJSON, after whitespace or a BOM', () => {
    expect(looksLikeAzureJson(head(blob([nsgRec])))).toBe(true);
    expect(looksLikeAzureJson(head(JSON.stringify(vnetRec)))).toBe(true);
    expect(looksLikeAzureJson(head(`\ufeff \n\t${JSON.stringify(nsgRec)}`))).toBe(true);
  });
  it('rejects AWS text, CloudTrail, arrays and other JSON', () => {
    expect(looksLikeAzureJson(head('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK'))).toBe(false);
    expect(looksLikeAzureJson(head('{"Records":[{"eventVersion":"1.08"}]}'))).toBe(false);
    expect(looksLikeAzureJson(head('[{"records":[]}]'))).toBe(false);
    expect(looksLikeAzureJson(head('{"logEvents":[]}'))).toBe(false);
    expect(looksLikeAzureJson(new Uint8Array(0))).toBe(false);
  });
  it('looks only at the first few KB', () => {
    expect(looksLikeAzureJson(head(`{"pad":"${'x'.repeat(5000)}","records":[]}`))).toBe(false);
    expect(looksLikeAzureJson(head('{ "records" : [').subarray(0, 10))).toBe(false);
  });
});
