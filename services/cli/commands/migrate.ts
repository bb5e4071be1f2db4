/** `flowlog migrate`: apply pending migrations (idempotent). */
import { openStore } from '../../store/open.js';

export async function migrateCommand(): Promise<number> {
  const store = await openStore({ migrate: false });
  try {
    for (const m of await store.migrate()) process.stdout.write(`${m.applied ? 'applied ' : 'up to date'} ${m.name}\n`);
  } finally {
    await store.close();
  }
  return 0;
}
