/**
 * Reads and validates the YAML configuration. Every problem is reported at
 * once, each naming the key, the value found and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z, ZodIssue, ZodTypeAny } from 'zod';
import { configSchema, type FlowlogConfig, type SecretRef } from '../../schemas/config.js';
import { FlowlogError } from '../core/errors.js';

function at(doc: unknown, path: (string | number)[]): unknown {
  let v: unknown = doc;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

const keyPath = (path: (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('') || '(top level)';

function describeIssue(doc: unknown, i: ZodIssue): string {
  const found = at(doc, i.path);
  // secrets are never echoed back, not even wrong ones
  const shown = /password|secret|key/i.test(String(i.path[i.path.length - 1] ?? '')) ? '(hidden)' : JSON.stringify(found);
  let allowed = i.message;
  if (i.code === 'invalid_union_discriminator') allowed = `one of ${i.options.map((o) => JSON.stringify(o)).join(', ')}`;
  if (i.code === 'invalid_enum_value') allowed = `one of ${i.options.map((o) => JSON.stringify(o)).join(', ')}`;
  if (i.code === 'unrecognized_keys') return `${keyPath(i.path)}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')} (check the spelling; see README, Configuration)`;
  return `${keyPath(i.path)}: ${found === undefined ? 'missing' : `got ${shown}`}; expected ${allowed}`;
}

export function parseConfig(text: string, file = 'config'): FlowlogConfig {
  return parseYamlWith(configSchema, text, file);
}

/** YAML text validated against a schema, with every problem named (key, value found, what is allowed). */
export function parseYamlWith<S extends ZodTypeAny>(schema: S, text: string, file: string): z.output<S> {
  let doc: unknown;
  try { doc = parse(text); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `${file} is not valid YAML: ${(e as Error).message}`, 'fix the YAML syntax at the line shown');
  }
  const r = schema.safeParse(doc ?? {});
  if (!r.success) {
    throw new FlowlogError('CONFIG_INVALID', `${file} has ${r.error.issues.length} problem${r.error.issues.length > 1 ? 's' : ''}:\n  ${r.error.issues.map((i) => describeIssue(doc, i)).join('\n  ')}`,
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

/** Resolves a secret reference; the value is never logged. */
export function readSecret(ref: SecretRef, where: string): string {
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined) throw new FlowlogError('CONFIG_INVALID', `${where}: environment variable ${ref.env} is not set`, `export ${ref.env}=... before starting flowlog`);
    return v;
  }
  try { return readFileSync(ref.file, 'utf8').trim(); } catch (e) {
    throw new FlowlogError('CONFIG_INVALID', `${where}: secret file ${ref.file} cannot be read (${(e as NodeJS.ErrnoException).code})`, 'point it at a readable file');
  }
}

export { readPemFile } from './pem.js';
