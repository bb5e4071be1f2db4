/**
 * Regenerates the expected files beside each golden input:
 *   npx tsx services/parse/azure/test/golden/update.ts
 * Read the diff value by value before committing it: the golden test only
 * proves the parser still does what these files say.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAll, toNdjson } from '../helpers.js';

export const GOLDEN_DIR = fileURLToPath(new URL('.', import.meta.url));
export const goldenInputs = (): string[] => readdirSync(GOLDEN_DIR).filter((f) => /^[a-z0-9-]+\.(json|ndjson)$/.test(f) && !f.includes('.rows.') && !f.includes('.rejects.'));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of goldenInputs()) {
    const stem = name.replace(/\.(json|ndjson)$/, '');
    const { rows, rejects } = parseAll(readFileSync(GOLDEN_DIR + name), { source: `golden/${name}` });
    writeFileSync(`${GOLDEN_DIR}${stem}.rows.ndjson`, toNdjson(rows));
    if (rejects.length > 0) writeFileSync(`${GOLDEN_DIR}${stem}.rejects.ndjson`, toNdjson(rejects));
    else rmSync(`${GOLDEN_DIR}${stem}.rejects.ndjson`, { force: true });
    console.log(`${name}: ${rows.length} rows, ${rejects.length} rejects`);
  }
}
