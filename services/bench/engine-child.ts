/**
 * The engine reference as its own process, timed whole by `npm run bench`
 * like `flowlog ingest` is: `node --import tsx services/bench/engine-child.ts
 * aws|azure DATA_DIR ROOT`. DATA_DIR is a store `flowlog migrate` created; the
 * objects under ROOT go straight into its `flows` table. Prints the row count.
 */
import { join, resolve } from 'node:path';
import { Session } from 'chdb';
import { engineLoadStatements, type EngineDataset } from './engine-sql.js';

const [dataset, dataDir, root] = process.argv.slice(2);
if ((dataset !== 'aws' && dataset !== 'azure') || !dataDir || !root) {
  process.stderr.write('usage: engine-child.ts aws|azure DATA_DIR ROOT\n');
  process.exit(2);
}
// the same folder ChdbStore opens: <data dir>/clickhouse
const session = new Session(join(resolve(dataDir), 'clickhouse'));
for (const sql of engineLoadStatements(dataset as EngineDataset, resolve(root))) await session.queryAsync(sql);
const rows = Number(session.query('SELECT count() FROM flows', 'TSV').toString().trim());
session.close();
process.stdout.write(`${JSON.stringify({ rows })}\n`);
