/**
 * Reads and validates the YAML configuration. Every problem is reported at
 * once, each naming the key, the value found and what is allowed.
 */
import { EVENTS } from '../telemetry/event-names.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z, ZodIssue, ZodTypeAny } from 'zod';
import { configSchema, type FlowlogConfig, type SecretRef } from '../../schemas/config.js';
import { FlowlogError } from '../core/errors.js';
import { log } from '../telemetry/log.js';
import { isIdentityKey, isSecretKey, redactConfig, registerSecret } from '../telemetry/redact.js';

function at(doc: unknown, path: (string | number)[]): unknown {
  let v: unknown = doc;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

export const keyPath = (path: (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('') || '(top level)';

/** Where a key's value came from when not the file (`env:NAME`, `flag:--name`), for errors to name. */
export type OriginOf = (key: string) => string | undefined;

function describeIssue(doc: unknown, i: ZodIssue, originOf?: OriginOf): string {
  const origin = originOf?.(keyPath(i.path));
  return `${describeValue(doc, i)}${origin ? ` (set by ${origin.replace(/^env:/, 'environment variable ').replace(/^flag:/, 'flag ')}: fix or unset it)` : ''}`;
}

function describeValue(doc: unknown, i: ZodIssue): string {
  const found = at(doc, i.path);
  // secrets are never echoed back, not even wrong ones: the one redaction rule (telemetry/redact.ts)
  const shown = isSecretKey(i.path) ? '(hidden)' : JSON.stringify(redactConfig(found, i.path));
  let allowed = i.message;
  if (i.code === 'invalid_union_discriminator') allowed = `one of ${i.options.map((o) => JSON.stringify(o)).join(', ')}`;
  // a required key the schema explains (required_error) keeps its explanation
  if (i.code === 'invalid_type') allowed = i.received === 'undefined' ? (i.message !== 'Required' ? i.message : i.expected) : `${i.expected} (got ${i.received})`;
  if (i.code === 'invalid_enum_value') allowed = `one of ${i.options.map((o) => JSON.stringify(o)).join(', ')}`;
  if (i.code === 'unrecognized_keys') return `${keyPath(i.path)}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')} (check the spelling; see docs/configuration-reference.md)`;
  return `${keyPath(i.path)}: ${found === undefined ? 'missing' : `got ${shown}`}; expected ${allowed}`;
}

export function parseConfig(text: string, file = 'config'): FlowlogConfig {
  return validateConfig(readYaml(text, file), file);
}

/** The `flowlog run` configuration from a parsed document, deprecated spellings renamed first. */
export function validateConfig(doc: unknown, file: string, originOf?: OriginOf): FlowlogConfig {
  return validateWith(configSchema, renameDeprecated(doc ?? {}, file), file, originOf);
}

/** `batch_rows` is the older spelling of `batch.rows`: still read, with a warning naming the new key. */
export function renameDeprecated(doc: unknown, file: string): unknown {
  if (!doc || typeof doc !== 'object' || !('batch_rows' in doc)) return doc;
  const { batch_rows: rows, ...rest } = doc as Record<string, unknown>;
  const batch = (rest.batch ?? {}) as Record<string, unknown>;
  if (batch && typeof batch === 'object' && batch.rows !== undefined) {
    throw new FlowlogError('CONFIG_INVALID', `${file}: both batch_rows and batch.rows are set`, 'keep batch.rows only (batch_rows is its deprecated spelling)');
  }
  log.warn(EVENTS.configDeprecated, { file, key: 'batch_rows', use: 'batch.rows' });
  return { ...rest, batch: { ...batch, rows } };
}

/**
 * YAML text as a document, or an error naming the file, line, column and the
 * keys above it: never the line's text, which may hold a secret (a URL with
 * its password, a token pasted where a reference belongs).
 */
export function readYaml(text: string, file: string): unknown {
  try { return parse(text); } catch (e) {
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const what = (e as Error).message.split(/ at line \d+, column \d+/)[0]!.split('\n')[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}${keysAbove(text, pos.line)}` : '';
    throw new FlowlogError('CONFIG_INVALID', `${file} is not valid YAML${where}: ${what}`, 'fix the YAML syntax at the line shown');
  }
}

/** The keys leading to a line, by indentation (` (under store.url)`): where a broken line is, without its value. */
function keysAbove(text: string, line: number): string {
  const lines = text.split('\n').slice(0, line);
  const keys: string[] = [];
  let indent = Infinity;
  for (let n = lines.length - 1; n >= 0 && indent > 0; n--) {
    const m = /^(\s*)(?:-\s+)?([A-Za-z0-9_.-]+)\s*:(\s|$)/.exec(lines[n]!);
    if (!m || m[1]!.length >= indent) continue;
    indent = m[1]!.length;
    keys.unshift(m[2]!);
  }
  return keys.length ? ` (under ${keys.join('.')})` : '';
}

/** YAML text validated against a schema, with every problem named (key, value found, what is allowed). */
export function parseYamlWith<S extends ZodTypeAny>(schema: S, text: string, file: string): z.output<S> {
  return validateWith(schema, readYaml(text, file), file);
}

/** A document validated against a schema; every problem named, with where a value came from when not the file. */
export function validateWith<S extends ZodTypeAny>(schema: S, doc: unknown, file: string, originOf?: OriginOf): z.output<S> {
  const r = schema.safeParse(doc ?? {});
  if (!r.success) {
    throw new FlowlogError('CONFIG_INVALID', `${file} has ${r.error.issues.length} problem${r.error.issues.length > 1 ? 's' : ''}:\n  ${r.error.issues.map((i) => describeIssue(doc, i, originOf)).join('\n  ')}`,
      'fix the keys above; every secret is { env: NAME } or { file: PATH }');
  }
  return r.data as z.output<S>;
}

export function loadConfig(file: string): FlowlogConfig {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `cannot read ${file} (${(e as NodeJS.ErrnoException).code})`, 'pass the path of a YAML config with --config');
  }
  return parseConfig(text, file);
}

/**
 * Resolves a secret reference. The value is registered for redaction, so no error, log line or metric shows
 * it; not an access key id (`where` ends in access_key), which names an identity (telemetry/redact.ts).
 */
export function readSecret(ref: SecretRef, where: string): string {
  const register = (v: string) => { if (!isIdentityKey(where.slice(where.lastIndexOf('.') + 1))) registerSecret(v); };
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined) throw new FlowlogError('CONFIG_INVALID', `${where}: environment variable ${ref.env} is not set`, `export ${ref.env}=... before starting flowlog`);
    register(v);
    return v;
  }
  let v: string;
  try { v = readFileSync(ref.file, 'utf8').trim(); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `${where}: secret file ${ref.file} cannot be read (${(e as NodeJS.ErrnoException).code})`, 'point it at a readable file');
  }
  register(v);
  return v;
}

export { readPemFile } from './pem.js';
