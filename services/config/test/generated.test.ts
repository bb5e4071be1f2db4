/** The JSON Schema, the reference page and the guide's tables are generated from the schema: they cannot drift. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedConfigFiles, GUIDE_FILE } from '../reference.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('generated configuration documents', () => {
  for (const [path, text] of Object.entries(generatedConfigFiles(readFileSync(root + GUIDE_FILE, 'utf8')))) {
    it(`${path} is up to date`, () => {
      const checkedIn = readFileSync(root + path, 'utf8');
      expect(checkedIn === text, `${path} is out of date: run npm run gen:config`).toBe(true);
    });
  }

  it('documents every key of the schema', () => {
    const ref = readFileSync(root + 'docs/configuration-reference.md', 'utf8');
    for (const key of ['store.data_dir', 'store.retry.base', 'store.retention_days', 'batch.rows', 'log.level', 'sources[].fetch.max_bytes_per_partition', 'sources[].concurrency', 'detect.egress.ramp_trend', 'metrics.listen']) {
      expect(ref).toContain(`| \`${key}\` |`);
    }
  });
});
