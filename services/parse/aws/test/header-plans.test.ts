/**
 * Header plans are compiled once per distinct header line and shared by every
 * object that carries it (a backfill of small objects reads one header per
 * object); what each object reports stays its own.
 */
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../../../core/flow-batch.js';
import { RejectBatch } from '../../../core/rejects.js';
import { AwsTextParser } from '../text-parser.js';
import { parseAll } from './parse-helpers.js';

const V5 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id';
const ROW = '5 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 51000 6 10 840 1700000000 1700000060 ACCEPT OK vpc-0abc';

function planOf(text: string) {
  const p = new AwsTextParser('obj');
  const buf = Buffer.from(text);
  p.parse(buf, 0, buf.length, true, new FlowBatch(16), new RejectBatch());
  return p.plan;
}

describe('header plans', () => {
  it('one compiled plan per distinct header, shared by the objects that carry it', () => {
    const a = planOf(`${V5}\n${ROW}\n`), b = planOf(`${V5}\n${ROW}\n`);
    expect(b).toBe(a);
    expect(a.names).toEqual(V5.split(' '));
    expect(planOf(`${V5} tcp-flags\n`)).not.toBe(a);
  });

  it('each object still warns of its unknown fields and rejects a lowercase line that is no header', () => {
    const text = Buffer.from(`${V5} future-field\n${ROW} x\nnot a header line\n`);
    for (const source of ['first', 'second']) {
      const { records, rejected, warnings } = parseAll(text, { source });
      expect(records).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(warnings).toEqual([`${source}:1: unknown field future-field: values skipped (a newer AWS field? please report it)`]);
    }
  });
});
