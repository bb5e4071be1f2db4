/**
 * The one point where configuration is merged: the YAML file, then
 * environment variables, then CLI flags, over the schema's defaults
 * (flag > env > file > default). Every environment variable and flag that
 * carries a setting is in the tables below, and nowhere else; the
 * documentation's variable table is generated from them.
 *
 * A secret read from the environment stays a reference (`{ env: NAME }`), so
 * the merged configuration can be printed and logged without its values.
 */
import { EVENTS } from '../telemetry/event-names.js';
import { readFileSync } from 'node:fs';
import { MEMORY_PROFILES, type FlowlogConfig } from '../../schemas/config.js';
import { FlowlogError } from '../core/errors.js';
import { log } from '../telemetry/log.js';
import { readYaml, renameDeprecated, validateConfig } from './load-config.js';
import { AUTO_MINIMAL_BELOW, memoryLimit, type MemoryLimit } from './memory-limit.js';
import { redactUrl, registerReferencedSecrets, registerSecretsFromEnv } from '../telemetry/redact.js';

type Doc = Record<string, unknown>;
type StoreKind = 'embedded' | 'clickhouse';

export interface Binding {
  /** The key it sets, as the reference page spells it. */
  key: string;
  /** What the value is read as; a secret becomes a reference, never its value. */
  as: 'string' | 'integer' | 'secret-env' | 'secret-file';
  /** Only applies to this store kind (FLOWLOG_DATA_DIR means nothing to a ClickHouse server). */
  store?: StoreKind;
  /** Sets store.kind to this first (CLICKHOUSE_URL means "a server"). */
  selectsStore?: StoreKind;
  doc: string;
}

export interface EnvBinding extends Binding { env: string }
export interface FlagBinding extends Binding { flag: string }

/** FLOWLOG_CONFIG names the file when no --config does. */
export const CONFIG_FILE_ENV = 'FLOWLOG_CONFIG';

/** Every environment variable that carries a setting. Later rows win over earlier ones for the same key. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'CLICKHOUSE_URL', key: 'store.url', as: 'string', selectsStore: 'clickhouse', doc: 'Use this ClickHouse server (store.kind becomes clickhouse).' },
  { env: 'CLICKHOUSE_USER', key: 'store.user', as: 'string', store: 'clickhouse', doc: 'ClickHouse user.' },
  { env: 'CLICKHOUSE_PASSWORD', key: 'store.password', as: 'secret-env', store: 'clickhouse', doc: 'ClickHouse password (kept as { env: CLICKHOUSE_PASSWORD }).' },
  { env: 'CLICKHOUSE_PASSWORD_FILE', key: 'store.password', as: 'secret-file', store: 'clickhouse', doc: 'A file holding the ClickHouse password; wins over CLICKHOUSE_PASSWORD.' },
  { env: 'CLICKHOUSE_DATABASE', key: 'store.database', as: 'string', store: 'clickhouse', doc: 'ClickHouse database.' },
  { env: 'CLICKHOUSE_CA_FILE', key: 'store.tls.ca_file', as: 'string', store: 'clickhouse', doc: 'PEM file of the private CA that signed the server certificate.' },
  { env: 'FLOWLOG_DATA_DIR', key: 'store.data_dir', as: 'string', store: 'embedded', doc: 'The embedded store\'s folder.' },
  { env: 'FLOWLOG_SPOOL_DIR', key: 'store.spool_dir', as: 'string', store: 'embedded', doc: 'Where a Native block waits for the embedded engine.' },
  { env: 'FLOWLOG_RETENTION_DAYS', key: 'store.retention_days', as: 'integer', doc: 'Age flows out after this many days (flows table TTL, set at migrate).' },
  { env: 'FLOWLOG_BATCH_ROWS', key: 'batch.rows', as: 'integer', doc: 'Rows per insert.' },
  { env: 'FLOWLOG_MEMORY_PROFILE', key: 'memory.profile', as: 'string', doc: 'minimal, small or large: the embedded engine\'s memory profile.' },
  { env: 'FLOWLOG_LOG_LEVEL', key: 'log.level', as: 'string', doc: 'debug, info, warn, error or silent.' },
  { env: 'FLOWLOG_POLICY', key: 'policy.file', as: 'string', doc: 'A segmentation policy file.' },
  { env: 'FLOWLOG_ENRICH', key: 'enrich_file', as: 'string', doc: 'A YAML file with an enrich: section (ingest, policy, ipam).' },
  { env: 'FLOWLOG_ROLE', key: 'role', as: 'string', doc: 'flowlog run: ingest, detect or all.' },
];

/** Every CLI flag that carries a setting (commands pass the ones they accept, by name without dashes). */
export const FLAG_BINDINGS: readonly FlagBinding[] = [
  { flag: 'data-dir', key: 'store.data_dir', as: 'string', store: 'embedded', doc: 'The embedded store\'s folder.' },
  { flag: 'batch-rows', key: 'batch.rows', as: 'integer', doc: 'Rows per insert.' },
  { flag: 'log-level', key: 'log.level', as: 'string', doc: 'Lowest level logged.' },
  { flag: 'policy', key: 'policy.file', as: 'string', doc: 'A segmentation policy file.' },
  { flag: 'enrich', key: 'enrich_file', as: 'string', doc: 'A YAML file with an enrich: section.' },
  { flag: 'role', key: 'role', as: 'string', doc: 'flowlog run: ingest, detect or all.' },
];

export interface ConfigInput {
  /** The YAML file; FLOWLOG_CONFIG in `env` when not given; none: defaults, env and flags only. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Flag values by flag name without dashes (`{ policy: 'p.yaml' }`); undefined means not given. */
  flags?: Record<string, string | undefined>;
  /** What this process may use, for an unset memory.profile (default: read from its cgroup and the machine). */
  memoryLimit?: MemoryLimit;
}

export interface ResolvedConfig {
  config: FlowlogConfig;
  file: string | undefined;
  /** Keys set by the environment or a flag (`env:NAME`, `flag:--name`), or chosen for this process (`auto:...`: memory.profile under a memory limit). */
  origins: Record<string, string>;
  /** The subset of origins that replaced a value written in the file. */
  overridden: Record<string, string>;
}

/** The merged configuration (flag > env > file > default). */
export function resolveConfig(input: ConfigInput = {}): FlowlogConfig {
  return explainConfig(input).config;
}

/** Overrides already logged in this process: each one is said once, however often the config is resolved. */
const logged = new Set<string>();

/** resolveConfig, with where each value that did not come from the file came from. */
export function explainConfig(input: ConfigInput = {}): ResolvedConfig {
  const env = input.env ?? {};
  registerSecretsFromEnv(env);
  const file = input.file ?? (nonEmpty(env[CONFIG_FILE_ENV]) ? env[CONFIG_FILE_ENV] : undefined);
  const fileDoc = file ? readFileDoc(file) : {};
  const doc = structuredClone(fileDoc);
  const origins: Record<string, string> = {}, overridden: Record<string, string> = {};
  const apply = (b: Binding, raw: string, from: string) => {
    if (b.selectsStore && storeKind(doc) !== b.selectsStore) {
      doc.store = { kind: b.selectsStore };
      record('store.kind', from);
    }
    if (b.store && storeKind(doc) !== b.store) return;
    // the store is a union on kind: a key set under a store the file left out needs the kind it belongs to
    if (b.key.startsWith('store.') && !(doc.store as Doc | undefined)?.kind) doc.store = { ...(doc.store as Doc | undefined), kind: storeKind(doc) };
    setAt(doc, b.key, value(b, raw));
    record(b.key, from, b.as.startsWith('secret') ? undefined : raw);
  };
  const record = (key: string, from: string, shown?: string) => {
    origins[key] = from;
    if (getAt(fileDoc, key) === undefined) return;
    overridden[key] = from;
    if (logged.has(`${key} ${from}`)) return;
    logged.add(`${key} ${from}`);
    log.info(EVENTS.configOverride, { key, from, ...(file ? { file } : {}), ...(shown !== undefined ? { value: redactUrl(shown) } : {}) });
  };
  for (const b of ENV_BINDINGS) if (nonEmpty(env[b.env])) apply(b, env[b.env]!, `env:${b.env}`);
  for (const [name, v] of Object.entries(input.flags ?? {})) {
    if (v === undefined) continue;
    const b = FLAG_BINDINGS.find((f) => f.flag === name);
    // a programming mistake, not a user's: the command passed a flag the table does not know
    if (!b) throw new Error(`flag --${name} has no binding in FLAG_BINDINGS (services/config/resolve.ts)`);
    apply(b, v, `flag:--${name}`);
  }
  // known before anything reads them, so even a validation error cannot show them
  registerReferencedSecrets(doc, env);
  if (getAt(doc, 'memory.profile') === undefined && storeKind(doc) === 'embedded') {
    // no profile named: the small one, unless this process may not use the memory the engine in it takes
    const limit = input.memoryLimit ?? memoryLimit();
    if (limit.bytes < AUTO_MINIMAL_BELOW) {
      setAt(doc, 'memory.profile', 'minimal');
      const mb = Math.round(limit.bytes / 2 ** 20);
      origins['memory.profile'] = `auto:${mb} MiB limit (${limit.from})`;
      if (!logged.has(`auto ${limit.from}`)) {
        logged.add(`auto ${limit.from}`);
        log.info(EVENTS.configAuto, { key: 'memory.profile', value: 'minimal', limit_mb: mb, from: limit.from });
      }
    }
  }
  // unset on the embedded store: the small profile's sizes (a server store, with no engine in the process, keeps the schema's)
  applyProfile(doc, getAt(doc, 'memory.profile') ?? (storeKind(doc) === 'embedded' ? 'small' : undefined));
  const config = validateConfig(doc, file ?? 'configuration', (key) => origins[key]);
  return { config, file, origins, overridden };
}

/**
 * A memory profile sizes the batch too, unless batch.rows is set (file, env or
 * flag), each Kafka source's fetch, unless its fetch.max_bytes is set (a fetch
 * is held whole while its rounds are parsed and stored), and each S3 source's
 * GETs in flight, unless its concurrency is set.
 */
function applyProfile(doc: Doc, profile: unknown): void {
  if (typeof profile !== 'string' || !Object.hasOwn(MEMORY_PROFILES, profile)) return;
  const p = MEMORY_PROFILES[profile as keyof typeof MEMORY_PROFILES];
  if (getAt(doc, 'batch.rows') === undefined) setAt(doc, 'batch.rows', p.batch_rows);
  const sources = getAt(doc, 'sources');
  if (!Array.isArray(sources)) return;
  for (const src of sources) {
    if (!src || typeof src !== 'object') continue;
    if ((src as Doc).kind === 's3' && (src as Doc).concurrency === undefined) (src as Doc).concurrency = p.s3_gets;
    if ((src as Doc).kind !== 'kafka') continue;
    const fetch = (src as Doc).fetch;
    if (fetch !== undefined && (typeof fetch !== 'object' || fetch === null || Array.isArray(fetch))) continue; // validation names it
    if ((fetch as Doc | undefined)?.max_bytes === undefined) (src as Doc).fetch = { ...(fetch as Doc | undefined), max_bytes: p.kafka_fetch_max_bytes };
  }
}

function readFileDoc(file: string): Doc {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `cannot read ${file} (${(e as NodeJS.ErrnoException).code})`, `pass the path of a YAML config with --config (or ${CONFIG_FILE_ENV})`);
  }
  const doc = renameDeprecated(readYaml(text, file) ?? {}, file);
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FlowlogError('CONFIG_INVALID', `${file} is not a mapping of keys`, 'start the file with keys such as store:, sources:');
  return doc as Doc;
}

const nonEmpty = (v: string | undefined): boolean => v !== undefined && v !== '';

function storeKind(doc: Doc): StoreKind {
  const s = doc.store as { kind?: unknown } | undefined;
  return s?.kind === 'clickhouse' ? 'clickhouse' : 'embedded';
}

/** The value a binding puts at its key. A number that does not parse stays a string, for the schema to name. */
function value(b: Binding, raw: string): unknown {
  switch (b.as) {
    case 'integer': return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case 'secret-env': return { env: (b as EnvBinding).env ?? raw };
    case 'secret-file': return { file: raw };
    case 'string': return raw;
  }
}

function getAt(doc: unknown, key: string): unknown {
  let v = doc;
  for (const p of key.split('.')) v = v && typeof v === 'object' ? (v as Doc)[p] : undefined;
  return v;
}

function setAt(doc: Doc, key: string, v: unknown): void {
  const parts = key.split('.');
  let o = doc;
  for (const p of parts.slice(0, -1)) {
    if (!o[p] || typeof o[p] !== 'object') o[p] = {};
    o = o[p] as Doc;
  }
  o[parts[parts.length - 1]!] = v;
}
