/**
 * The byte path (blob-scan.ts, blob-rows.ts) against the JSON.parse path:
 * for generated documents (odd whitespace, keys in any order, extra and
 * duplicate keys, escapes, values of the wrong type, malformed tuples, broken
 * JSON) both give the same rows, rejects (reasons, details, positions) and log
 * type, in batches of any size; and the byte path does read the plain blobs
 * Azure writes, rather than always handing them back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NSG_ID, SUBSCRIPTION, VNET_ID } from './build.js';
import { parseAll } from './helpers.js';

/** A JSON value to print with chosen whitespace; objects are entry lists so keys may repeat. */
type J = { obj: [string, J][] } | { arr: J[] } | { raw: string };
const raw = (v: unknown): J => ({ raw: JSON.stringify(v) });

/** Prints j, taking whitespace between tokens from `ws` in turn. */
function print(j: J, ws: readonly string[]): string {
  let i = 0;
  const w = () => ws[i++ % ws.length]!;
  const go = (x: J): string => {
    if ('raw' in x) return x.raw;
    if ('arr' in x) return `[${w()}${x.arr.map((e) => `${go(e)}${w()}`).join(`,${w()}`)}]`;
    return `{${w()}${x.obj.map(([k, v]) => `${JSON.stringify(k)}${w()}:${w()}${go(v)}${w()}`).join(`,${w()}`)}}`;
  };
  return `${w()}${go(j)}${w()}`;
}

const NSG_TUPLE = '1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66';
const NSG1_TUPLE = '1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A';
const VNET_TUPLE = '1700000000123,10.0.0.6,52.239.184.180,23956,443,6,O,E,X,3,767,2,1580';

/** Tuples near real ones: valid, one char edited (printable ASCII: a quote or backslash becomes an escape), or not a string. */
const tuple = (plain: boolean) => fc.constantFrom(NSG_TUPLE, NSG1_TUPLE, VNET_TUPLE, '', ',,,,,,,,,,,,', '1,2').chain((t) =>
  fc.tuple(fc.nat({ max: t.length }), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 3 }), fc.nat({ max: 2 }))
    .map(([at, s, del]) => raw(t.slice(0, at) + (plain ? s.replace(/["\\]/g, ',') : s) + t.slice(at + del))));
const junkTuple = fc.constantFrom<J>(raw(7), raw(null), raw(['x']), raw('1542110379,10.5.16.4,\u00e9,59932,443,T,O,A'), raw('a'.repeat(1030)));

/** A string field: usually a string, sometimes (when not plain) another type, an escape or non-ASCII. */
const text = (s: string, plain: boolean): fc.Arbitrary<J> => plain ? fc.constant(raw(s))
  : fc.oneof(fc.constant(raw(s)), fc.constant(raw(`${s}"q`)), fc.constant(raw(`${s}\u00e9`)), fc.constant(raw(42)), fc.constant(raw(null)));
const version = fc.constantFrom<J>(raw(1), raw(2), raw(4), raw('2'), raw('007'), raw(2.0), raw(256), raw(-1), raw(1.5), raw(true), { raw: '2e0' }, { raw: '-0' });
const extra = fc.constantFrom<[string, J]>(['time', raw('2018-11-13T12:00:35.3899262Z')], ['category', raw('NetworkSecurityGroupFlowEvent')],
  ['nested', { obj: [['a', { arr: [raw(1), raw({ b: [null, false] })] }]] }], ['flowz', raw('x')]);

/** Entries in any order, with extras mixed in; when not plain, sometimes a key twice. */
const entries = (es: fc.Arbitrary<[string, J]>[], plain: boolean): fc.Arbitrary<J> =>
  fc.tuple(fc.tuple(...es), fc.array(extra, { maxLength: 2 }), fc.boolean()).chain(([own, more, dup]) =>
    fc.shuffledSubarray([...own, ...more], { minLength: own.length + more.length }).map((all) =>
      ({ obj: !plain && dup && all.length > 0 ? [...all, all[0]!] : all })));

const tuples = (plain: boolean) => fc.array(plain ? tuple(true) : fc.oneof({ weight: 5, arbitrary: tuple(false) }, { weight: 1, arbitrary: junkTuple }), { maxLength: 4 }).map((arr) => ({ arr }));

function nsgRecord(plain: boolean): fc.Arbitrary<J> {
  const macFlow = entries([fc.tuple(fc.constant('mac'), text('000D3AF87856', plain)), fc.tuple(fc.constant('flowTuples'), tuples(plain))], plain);
  const rule = entries([fc.tuple(fc.constant('rule'), text('DefaultRule_AllowInternetOutBound', plain)),
    fc.tuple(fc.constant('flows'), fc.array(macFlow, { maxLength: 2 }).map((arr) => ({ arr })))], plain);
  const props = entries([fc.tuple(fc.constant('Version'), plain ? fc.constantFrom(raw(1), raw(2)) : version),
    fc.tuple(fc.constant('flows'), fc.array(rule, { maxLength: 3 }).map((arr) => ({ arr })))], plain);
  return entries([fc.tuple(fc.constant('resourceId'), text(NSG_ID, plain)), fc.tuple(fc.constant('properties'), props)], plain);
}

function vnetRecord(plain: boolean): fc.Arbitrary<J> {
  const group = entries([fc.tuple(fc.constant('rule'), text('DefaultRule_AllowInternetOutBound', plain)), fc.tuple(fc.constant('flowTuples'), tuples(plain))], plain);
  const acl = entries([fc.tuple(fc.constant('aclID'), fc.constant(raw('acl'))), fc.tuple(fc.constant('flowGroups'), fc.array(group, { maxLength: 2 }).map((arr) => ({ arr })))], plain);
  const flowRecords = entries([fc.tuple(fc.constant('flows'), fc.array(acl, { maxLength: 2 }).map((arr) => ({ arr })))], plain);
  const flowLogId = `/SUBSCRIPTIONS/${SUBSCRIPTION}/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NW/FLOWLOGS/FL`;
  return entries([fc.tuple(fc.constant('flowLogVersion'), plain ? fc.constant(raw(4)) : version),
    fc.tuple(fc.constant('macAddress'), text('00224871C205', plain)), fc.tuple(fc.constant('targetResourceID'), text(VNET_ID, plain)),
    fc.tuple(fc.constant('flowLogResourceID'), text(flowLogId, plain)), fc.tuple(fc.constant('flowRecords'), flowRecords)], plain);
}

/** Records of either kind (when not plain, also ones of neither kind), as `{"records": [...]}` with extra top-level keys. */
function blobDoc(plain: boolean): fc.Arbitrary<J> {
  const rec = plain ? fc.oneof(nsgRecord(true), vnetRecord(true))
    : fc.oneof({ weight: 4, arbitrary: nsgRecord(false) }, { weight: 4, arbitrary: vnetRecord(false) }, { weight: 1, arbitrary: fc.constantFrom(raw({ a: 1 }), raw(3), raw({ properties: { flows: 1 } })) });
  return entries([fc.tuple(fc.constant('records'), fc.array(rec, { maxLength: 4 }).map((arr) => ({ arr })))], plain);
}

const whitespace = fc.array(fc.constantFrom('', '', ' ', '\n', '\t', '\r\n', '  \n '), { minLength: 1, maxLength: 9 });

/** Both paths over the same bytes, in batches of `capacity`. */
function both(doc: Buffer, capacity: number) {
  const bytes = parseAll(doc, { capacity });
  const general = parseAll(doc, { capacity, bytes: false });
  expect(general.byteScanned).toBe(false);
  expect(bytes.rows).toEqual(general.rows);
  expect(bytes.rejects).toEqual(general.rejects);
  expect(bytes.logType).toBe(general.logType);
  return bytes;
}

describe('byte path', () => {
  it('reads plain blobs (any whitespace, key order, extra keys, malformed tuples) on bytes, exactly as JSON.parse does', () => {
    fc.assert(fc.property(blobDoc(true), whitespace, fc.boolean(), fc.integer({ min: 1, max: 7 }), (doc, ws, bom, capacity) => {
      const text = print(doc, ws);
      const res = both(Buffer.from(bom ? `\ufeff${text}` : text), capacity);
      expect(res.byteScanned).toBe(true);
    }), { numRuns: 300 });
  });

  it('hands anything else to JSON.parse with the same result: escapes, wrong types, duplicate keys, foreign records', () => {
    fc.assert(fc.property(blobDoc(false), whitespace, fc.integer({ min: 1, max: 7 }), (doc, ws, capacity) => {
      both(Buffer.from(print(doc, ws)), capacity);
    }), { numRuns: 300 });
  });

  it('broken JSON: the same rejects either way', () => {
    const cut = fc.tuple(blobDoc(true), whitespace).chain(([doc, ws]) => {
      const t = print(doc, ws);
      return fc.tuple(fc.nat({ max: t.length }), fc.string({ unit: 'binary-ascii', maxLength: 3 }), fc.nat({ max: 3 }))
        .map(([at, s, del]) => t.slice(0, at) + s + t.slice(at + del));
    });
    fc.assert(fc.property(cut, fc.integer({ min: 1, max: 7 }), (t, capacity) => { both(Buffer.from(t), capacity); }), { numRuns: 300 });
  });

  it('the cases the byte path gives up on, one by one', () => {
    const rec = (tuples: string) => `{"resourceId":"${NSG_ID}","properties":{"Version":2,"flows":[{"rule":"r","flows":[{"mac":"M","flowTuples":${tuples}}]}]}}`;
    const plain = `{"records":[${rec(`["${NSG_TUPLE}"]`)}]}`;
    expect(both(Buffer.from(plain), 9).byteScanned).toBe(true);
    // an escape or non-ASCII text in a value nobody reads: still on bytes (each string checked byte by byte)
    for (const extra of ['"time":"a\\"b\\u00e9"', '"time":"\u00e9\u00e8"']) {
      const doc = Buffer.from(`{${extra},"records":[${rec(`["${NSG_TUPLE}"]`)}]}`);
      expect(both(doc, 9).byteScanned, doc.toString()).toBe(true);
    }
    const invalidUtf8 = Buffer.concat([Buffer.from('{"time":"'), Buffer.of(0xff, 0xc3), Buffer.from(`","records":[${rec(`["${NSG_TUPLE}"]`)}]}`)]);
    expect(both(invalidUtf8, 9).byteScanned).toBe(true);
    for (const doc of [
      `{"records":[${rec(`["${NSG_TUPLE.replace('T', '\\u0054')}"]`)}]}`, // an escape in a tuple
      `{"records":[${rec('[7]')}]}`, // a tuple that is not a string
      `{"rec\\u006frds":[${rec(`["${NSG_TUPLE}"]`)}]}`, // an escaped key
      `{"records":[${rec(`["${NSG_TUPLE}"]`)}],"records":[]}`, // a duplicate key: JSON.parse keeps the last
      `{"records":[${rec(`["${NSG_TUPLE}"]`)}]} x`, // trailing junk
      `{"records":[${rec(`["${NSG_TUPLE}"]`)}]}\n{"records":[]}`, // NDJSON
      rec(`["${NSG_TUPLE}"]`), // a single record
      `{"records":[{"properties":{"flows":[{"rule":"r"}]}}]}`, // a rule entry without flows: a reject
      `{"records":[${rec(`["${NSG_TUPLE}	"]`)}]}`, // a raw tab, LF or other control byte inside a string: not JSON
      `{"records":[${rec(`["${NSG_TUPLE}"]`)}],"x":"
"}`,
      `{"records":[${rec(`["${NSG_TUPLE}"]`)}],"x":""}`,
      `{"records":[${rec(`["${NSG_TUPLE}é"]`)}]}`, // non-ASCII in a tuple
    ]) expect(both(Buffer.from(doc), 3).byteScanned, doc).toBe(false);
  });
});
