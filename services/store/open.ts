/**
 * Opens the configured store: the ClickHouse server when CLICKHOUSE_URL is
 * set (with CLICKHOUSE_USER, CLICKHOUSE_PASSWORD or CLICKHOUSE_PASSWORD_FILE,
 * CLICKHOUSE_DATABASE, CLICKHOUSE_CA_FILE for a private CA), else the embedded
 * engine under FLOWLOG_DATA_DIR.
 */
import { readFileSync } from 'node:fs';
import { FlowlogError } from '../core/errors.js';
import { readPemFile } from '../config/pem.js';
import { ChdbStore } from './chdb-store.js';
import { ClickHouseServerStore } from './clickhouse-server-store.js';
import type { FlowStore } from './store.js';

export const defaultDataDir = (): string => process.env.FLOWLOG_DATA_DIR ?? './.flowlog';

function secret(name: string): string | undefined {
  const file = process.env[`${name}_FILE`];
  if (file) {
    try { return readFileSync(file, 'utf8').trim(); } catch (e) {
      throw new FlowlogError('CONFIG_INVALID', `${name}_FILE=${file} cannot be read (${(e as NodeJS.ErrnoException).code})`, `point ${name}_FILE at a readable file, or set ${name}`);
    }
  }
  return process.env[name];
}

export async function openStore(opts: { dataDir?: string; migrate?: boolean } = {}): Promise<FlowStore> {
  const url = process.env.CLICKHOUSE_URL;
  let store: FlowStore;
  if (url && !opts.dataDir) {
    try { new URL(url); } catch {
      throw new FlowlogError('CONFIG_INVALID', `CLICKHOUSE_URL="${url}" is not a URL`, 'use e.g. http://127.0.0.1:8123 or https://host:8443');
    }
    const user = process.env.CLICKHOUSE_USER, password = secret('CLICKHOUSE_PASSWORD'), database = process.env.CLICKHOUSE_DATABASE;
    const ca = process.env.CLICKHOUSE_CA_FILE;
    store = new ClickHouseServerStore({ url, ...(ca ? { tls: { caCert: readPemFile(ca, 'CLICKHOUSE_CA_FILE') } } : {}), ...(user ? { username: user } : {}), ...(password !== undefined ? { password } : {}), ...(database ? { database } : {}) });
  } else {
    store = new ChdbStore(opts.dataDir ?? defaultDataDir());
  }
  if (opts.migrate !== false) await store.migrate();
  return store;
}
