/**
 * A child for the allocator test: opens the embedded store with the memory
 * section given as JSON, runs one query, and prints what JE_MALLOC_CONF held
 * when the engine loaded and whether chdb was loaded before the store opened.
 */
import { createRequire } from 'node:module';
import { ChdbStore } from '../chdb-store.js';
import { ALLOCATOR_ENV, allocatorConf } from '../chdb-loader.js';

const [dir, memory] = process.argv.slice(2) as [string, string];
const chdbLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.endsWith('chdb_node.node'));
const before = chdbLoaded();
const store = new ChdbStore(dir, { memory: JSON.parse(memory) as object });
await store.queryRows('SELECT 1');
// the variable is gone again once the engine has read it, so children do not inherit the profile's setting as an operator's
process.stdout.write(`${JSON.stringify({ before, after: chdbLoaded(), conf: allocatorConf(), left: process.env[ALLOCATOR_ENV] ?? null })}\n`);
await store.close();
