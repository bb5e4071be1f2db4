/**
 * Reads every configured IPAM source and builds the model. A file that cannot
 * be read or recognised fails the whole load (a reload then keeps the version
 * in use); a bad item inside a readable file only costs that item and is
 * listed among the problems.
 */
import { readFile, stat } from 'node:fs/promises';
import { builtinClassRecords } from './builtin-classes.js';
import { DEFAULT_TAG_KEYS, IpamSourceError, type InterfaceRecord, type IpamRecord, type TagKeyMap } from './ipam-record.js';
import { buildModel, type IpamModel, type IpamProblem } from './model.js';
import type { OwnershipRule } from './ownership.js';
import { pullNetbox, readIpamDocuments, type IpamReadResult } from './inventory/index.js';

/** The `enrich:` config with secrets resolved: plain data, so it can be posted to the reload worker. */
export interface EnrichSettings {
  files: string[];
  netbox?: { url: string; token: string };
  tagKeys?: TagKeyMap;
  rules: OwnershipRule[];
  owners?: string[];
  /** A segmentation policy evaluated with this IPAM (its attribute segments are resolved per IPAM entry). */
  policyFile?: string;
}

export async function loadIpam(s: EnrichSettings): Promise<IpamModel> {
  const records: IpamRecord[] = [...builtinClassRecords()];
  const interfaces: InterfaceRecord[] = [];
  const problems: IpamProblem[] = [];
  const tagKeys = { ...DEFAULT_TAG_KEYS, ...(s.tagKeys ?? {}) };
  const docs = await Promise.all(s.files.map(async (path) => {
    try { return { path, text: await readFile(path, 'utf8') }; } catch (e) {
      throw new IpamSourceError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }));
  // read together: a VPC's region comes from its subnets' zones, which may be in another file
  const r = readIpamDocuments(docs, { tagKeys });
  records.push(...r.records);
  interfaces.push(...(r.interfaces ?? []));
  problems.push(...readerProblems(r));
  if (s.netbox) {
    const r = await pullNetbox(s.netbox.url, s.netbox.token, { tagKeys });
    records.push(...r.records);
    problems.push(...readerProblems(r));
  }
  return buildModel({ records, interfaces, rules: s.rules, ...(s.owners ? { owners: s.owners } : {}), problems });
}

/** A reader's skipped items: a value that is no CIDR or address is kind `invalid` (like an unparseable prefix the model meets), the rest kind `source`. */
function readerProblems(r: IpamReadResult): IpamProblem[] {
  const invalid = new Set(r.invalid ?? []);
  return r.problems.map((message) => ({ kind: invalid.has(message) ? 'invalid' as const : 'source' as const, message }));
}

/** What the change check compares: a file edited, replaced or removed changes its stamp. */
export async function fileStamps(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(files.map(async (f) => {
    try { const st = await stat(f); return `${f}:${st.mtimeMs}:${st.size}:${st.ino}`; } catch { return `${f}:missing`; }
  }));
  return parts.join('|');
}
