/**
 * Golden files: each input under golden/ (with a .format when it has no
 * header) parses to exactly the committed NDJSON and reject lines, which were
 * checked by hand when written. Covers header detection and switching, custom
 * orders (including one with the v2 token count), TGW, ECS/v8, IPv6,
 * NODATA/SKIPDATA, multi-member gzip, CRLF and each reject reason.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeObject } from '../../../decode/gzip.js';
import { compileLogFormat } from '../log-format.js';
import { parseAll } from './parse-helpers.js';

const DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const inputs = readdirSync(DIR).filter((f) => /\.log(\.gz)?$/.test(f));

describe('AWS golden files', () => {
  it('has inputs', () => expect(inputs.length).toBeGreaterThanOrEqual(7));
  for (const file of inputs) {
    const base = file.replace(/\.log(\.gz)?$/, '');
    it(file, async () => {
      const fmtFile = join(DIR, `${base}.format`);
      const logFormat = existsSync(fmtFile) ? compileLogFormat(readFileSync(fmtFile, 'utf8')) : undefined;
      const data = await decodeObject(readFileSync(join(DIR, file)));
      const { records, rejected, warnings } = parseAll(data, { source: file, ...(logFormat ? { logFormat } : {}) });
      const expected = readFileSync(join(DIR, `${base}.ndjson`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(records).toEqual(expected);
      const rejectLines = rejected.map((r) => `rejected ${r.source}:${r.position} ${r.reason}: ${r.detail}`);
      const expectedRejects = readFileSync(join(DIR, `${base}.rejects.txt`), 'utf8').split('\n').filter(Boolean);
      expect([...rejectLines, ...warnings.map((w) => `warning ${w}`), `parsed ${records.length}, rejected ${rejected.length}`]).toEqual(expectedRejects);
    });
  }
});
