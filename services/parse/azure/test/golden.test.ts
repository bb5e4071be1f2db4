/**
 * Golden files: each input under golden/ against the rows (rowToRecord, one
 * JSON per line) and rejects checked by hand and committed beside it.
 * Regenerate with golden/update.ts only when a change is intended.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, goldenInputs } from './golden/update.js';
import { fromNdjson, parseAll } from './helpers.js';

const read = (f: string) => readFileSync(GOLDEN_DIR + f, 'utf8');

describe('golden files', () => {
  const inputs = goldenInputs();

  it('has the four inputs', () => {
    expect(inputs.sort()).toEqual(['bad-tuples.ndjson', 'nsg-v1.json', 'nsg-v2.json', 'vnet.json']);
  });

  for (const name of inputs) {
    it(name, () => {
      const stem = name.replace(/\.(json|ndjson)$/, '');
      const { rows, rejects } = parseAll(readFileSync(GOLDEN_DIR + name), { source: `golden/${name}` });
      expect(rows).toEqual(fromNdjson(read(`${stem}.rows.ndjson`)));
      const rejectsFile = `${stem}.rejects.ndjson`;
      expect(rejects).toEqual(existsSync(GOLDEN_DIR + rejectsFile) ? fromNdjson(read(rejectsFile)) : []);
    });
  }

  it('reports the log type of each', () => {
    expect(parseAll(readFileSync(`${GOLDEN_DIR}nsg-v1.json`)).logType).toBe('nsg');
    expect(parseAll(readFileSync(`${GOLDEN_DIR}vnet.json`)).logType).toBe('vnet');
  });
});
