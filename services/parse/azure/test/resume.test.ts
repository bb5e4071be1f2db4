/** fill() stops when the batch is full and resumes at exactly the next tuple. */
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../../../core/flow-batch.js';
import { RejectBatch } from '../../../core/rejects.js';
import { rowToRecord } from '../../../core/record.js';
import { AzureJsonParser } from '../json-parser.js';
import { blob, ndjson, record } from './build.js';
import { parseAll } from './helpers.js';

const nsg = (i: number) => `${1542110000 + i},10.5.16.${i % 250},13.67.143.117,${40000 + i},443,T,O,A,E,${i},${i * 66},1,66`;
const vnet = (i: number) => `${1700000000000 + i},10.0.0.6,52.239.184.${i % 250},${20000 + i},443,6,O,C,X,${i},${i * 10},0,0`;
const bad = (i: number) => `${1542110000 + i},not-an-ip,10.0.0.1,1,2,T,O,A`;

/** 43 NSG tuples (every 5th bad) over 3 groups, then a VNet record of 17. */
const records = [
  record('nsg2', [0, 1, 2].map((g) => Array.from({ length: g === 2 ? 13 : 15 }, (_, j) => (j % 5 === 4 ? bad(j) : nsg(g * 100 + j))))),
  record('vnet', [Array.from({ length: 17 }, (_, j) => vnet(j))]),
];

describe('batch resumption', () => {
  for (const [name, doc] of [['blob', blob(records)], ['ndjson', ndjson(records)]] as const) {
    it(`${name}: capacity 7 gives the same rows and rejects as one big batch`, () => {
      const big = parseAll(doc, { capacity: 4096 });
      const small = parseAll(doc, { capacity: 7 });
      expect(big.fills).toBe(1);
      expect(big.rows.length).toBe(43 - 8 + 17);
      expect(big.rejects.length).toBe(8);
      expect(small.rows).toEqual(big.rows);
      expect(small.rejects).toEqual(big.rejects);
      expect(small.fills).toBe(Math.ceil(big.rows.length / 7));
    });
  }

  it('returns true, not false, when the last tuple exactly fills the batch', () => {
    const doc = blob([record('vnet', [Array.from({ length: 14 }, (_, j) => vnet(j))])]);
    expect(parseAll(doc, { capacity: 7 }).fills).toBe(2);
  });

  it('appends after rows already in the batch, and keeps returning true once done', () => {
    const batch = new FlowBatch(10);
    const rejects = new RejectBatch();
    const first = new AzureJsonParser('a', Buffer.from(blob([record('nsg2', [[nsg(1), nsg(2), nsg(3), nsg(4)]])])));
    const second = new AzureJsonParser('b', Buffer.from(blob([record('vnet', [Array.from({ length: 8 }, (_, j) => vnet(j))])])));
    expect(first.fill(batch, rejects)).toBe(true);
    expect(second.fill(batch, rejects)).toBe(false);
    expect(batch.length).toBe(10);
    expect([0, 3, 4, 9].map((r) => rowToRecord(batch, r).source)).toEqual(['a', 'a', 'b', 'b']);
    batch.reset();
    expect(second.fill(batch, rejects)).toBe(true);
    expect(batch.length).toBe(2);
    // codes are interned again after the reset: the strings read back right
    expect(rowToRecord(batch, 1)).toMatchObject({ source: 'b', log_type: 'vnet', rule: 'rule-0', encryption: 'X', flow_state: 'C' });
    expect(second.fill(batch, rejects)).toBe(true);
    expect(batch.length).toBe(2);
    expect(rejects.length).toBe(0);
  });
});
