/**
 * Opens the store the configuration names, for every command alike: the
 * embedded engine under store.data_dir, or a ClickHouse server. The settings
 * come merged from the file, the environment (FLOWLOG_DATA_DIR, CLICKHOUSE_URL,
 * ...) and flags by services/config/resolve.ts; nothing here reads the
 * environment.
 */
import { DEFAULT_DATA_DIR, DEFAULT_SERVER_INFLIGHT, type FlowlogConfig, type MemoryConfig, type StoreConfig } from '../../schemas/config.js';
import { durationMs } from '../../schemas/common.js';
import { readPemFile } from '../config/pem.js';
import { readSecret } from '../config/load-config.js';
import { resolveConfig } from '../config/resolve.js';
import { FlowlogError } from '../core/errors.js';
import { telemetryEvents, type TelemetryEvents } from '../telemetry/events.js';
import { redactUrl } from '../telemetry/redact.js';
import { ChdbStore } from './chdb-store.js';
import { ClickHouseServerStore } from './clickhouse-server-store.js';
import type { RetryOptions } from './retry.js';
import type { FlowStore } from './store.js';

/**
 * The configuration of an embedded store, whatever CLICKHOUSE_URL says: the demo is always
 * embedded, so a server named there neither moves its folder nor sizes its engine as a server's.
 */
export const embeddedConfig = (): FlowlogConfig => resolveConfig({ env: { ...process.env, CLICKHOUSE_URL: undefined } });

/** The embedded store's folder as configured. */
export function defaultDataDir(): string {
  const s = embeddedConfig().store;
  return s.kind === 'embedded' ? s.data_dir : DEFAULT_DATA_DIR;
}

export interface OpenStoreOptions {
  /** The merged configuration; resolved from the environment (and FLOWLOG_CONFIG) when not given. */
  config?: FlowlogConfig;
  /** The embedded engine in this folder, whatever the configuration says (the demo). */
  dataDir?: string;
  migrate?: boolean;
}

/** A command's store, migrated unless told not to. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<FlowStore> {
  const config = opts.config ?? (opts.dataDir !== undefined ? embeddedConfig() : resolveConfig({ env: process.env }));
  const store = opts.dataDir !== undefined
    ? new ChdbStore(opts.dataDir, embeddedOptions(config.store, config.memory))
    : storeFromConfig(config.store, {}, config.memory);
  if (opts.migrate !== false) await store.migrate();
  return store;
}

/**
 * `flowlog run`'s store: a running service waits out a store outage
 * (transient errors only), saying so, instead of dropping work.
 */
export function openConfiguredStore(cfg: FlowlogConfig, events: TelemetryEvents = telemetryEvents(), onWaiting?: () => void): FlowStore {
  return storeFromConfig(cfg.store, {
    attempts: Number.MAX_SAFE_INTEGER,
    onRetry: (error, attempt, waitMs) => {
      events.storeRetry({ attempt, waitMs, error });
      onWaiting?.();
    },
  }, cfg.memory);
}

/** The one place a store is built from its settings; `retry` adds to store.retry (server only), `memory` sizes the embedded engine. */
export function storeFromConfig(s: StoreConfig, retry: Omit<RetryOptions, 'baseMs' | 'maxMs'> = {}, memory?: MemoryConfig): FlowStore {
  if (s.kind === 'embedded') return new ChdbStore(s.data_dir, embeddedOptions(s, memory));
  try {
    return serverStore(s, retry);
  } catch (e) {
    if (e instanceof FlowlogError) throw e;
    // the client's own error ("URL is malformed") names neither the key nor the fix; the URL is shown redacted
    throw new FlowlogError('CONFIG_INVALID', `store.url ${redactUrl(s.url)} is not a usable ClickHouse URL (${redactUrl((e as Error).message)})`,
      'use http[s]://host:port[/database] (env CLICKHOUSE_URL); put the password in store.password (env CLICKHOUSE_PASSWORD)', { cause: e });
  }
}

function serverStore(s: Extract<StoreConfig, { kind: 'clickhouse' }>, retry: Omit<RetryOptions, 'baseMs' | 'maxMs'>): FlowStore {
  return new ClickHouseServerStore({
    url: s.url, ...(s.user ? { username: s.user } : {}),
    ...(s.tls ? { tls: { caCert: readPemFile(s.tls.ca_file, 'store.tls.ca_file'),
      ...(s.tls.cert_file && s.tls.key_file ? { cert: readPemFile(s.tls.cert_file, 'store.tls.cert_file'), key: readPemFile(s.tls.key_file, 'store.tls.key_file') } : {}) } } : {}),
    ...(s.password ? { password: readSecret(s.password, 'store.password') } : {}), ...(s.database ? { database: s.database } : {}),
    retry: { ...retry, baseMs: durationMs(s.retry.base), maxMs: durationMs(s.retry.max) },
    ...(s.retention_days !== undefined ? { retentionDays: s.retention_days } : {}),
    maxInflightInserts: s.max_inflight_inserts ?? DEFAULT_SERVER_INFLIGHT,
  });
}

function embeddedOptions(s: StoreConfig, memory?: MemoryConfig): ConstructorParameters<typeof ChdbStore>[1] {
  return {
    ...(memory ? { memory } : {}),
    ...(s.kind === 'embedded' && s.spool_dir ? { spoolDir: s.spool_dir } : {}),
    ...(s.retention_days !== undefined ? { retentionDays: s.retention_days } : {}),
  };
}
