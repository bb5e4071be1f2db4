/**
 * Golden files: every input under golden/ reads to exactly the committed
 * <name>.expected.json (records, interfaces, problems), which were reviewed by
 * eye when written. A directory is read as one set with readIpamDocuments
 * (AWS VPC regions come from the subnets file). Regenerate after an
 * intended change with UPDATE_GOLDEN=1, then review the diff.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readIpamDocument, readIpamDocuments } from '../index.js';

const DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const inputs = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json')).sort();

function read(entry: string): unknown {
  const full = join(DIR, entry);
  if (!statSync(full).isDirectory()) return readIpamDocument(entry, readFileSync(full, 'utf8'));
  const files = readdirSync(full).sort().map((f) => ({ path: `${entry}/${f}`, text: readFileSync(join(full, f), 'utf8') }));
  return readIpamDocuments(files);
}

describe('IPAM source golden files', () => {
  it('has an input for every format', () => {
    expect(inputs).toEqual(['aws', 'aws-ip-ranges.json', 'azure', 'azure-service-tags.json', 'netbox', 'static.csv', 'static.yaml']);
  });
  for (const entry of inputs) {
    it(entry, () => {
      // paths relative to golden/ so origins in the expected files do not depend on the checkout
      const actual = `${JSON.stringify(read(entry), null, 2)}\n`;
      const expectedFile = join(DIR, `${entry}.expected.json`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});
