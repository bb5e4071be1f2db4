/** `npm run gen:config`: writes the JSON Schema, the reference page and the guide's tables (see reference.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedConfigFiles, GUIDE_FILE } from './reference.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
for (const [path, text] of Object.entries(generatedConfigFiles(readFileSync(root + GUIDE_FILE, 'utf8')))) {
  writeFileSync(root + path, text);
  process.stdout.write(`wrote ${path}\n`);
}
