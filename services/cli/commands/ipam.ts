/**
 * `flowlog ipam check --enrich FILE`: loads every IPAM source the way ingest
 * would and reports what a person should fix (conflicts between sources,
 * shadowed prefixes, unknown or missing owners, unreadable items). Exit 0 when
 * clean, 1 with problems, 2 when the IPAM cannot be loaded at all.
 * `flowlog ipam lookup ADDR... --enrich FILE`: what a flow with this address gets.
 */
import { FlowlogError } from '../../core/errors.js';
import { parseIpText } from '../../core/ip.js';
import { loadIpam } from '../../enrich/load.js';
import { buildModel, type IpamModel, type ProblemKind } from '../../enrich/model.js';
import { loadEnrichFile } from '../../enrich/settings.js';
import { builtinClassRecords } from '../../enrich/builtin-classes.js';
import { oneOf, parseCli, requireSettingFile } from '../args.js';
import { safeLines, safeText } from '../../core/safe-text.js';
import { resolveConfig } from '../../config/resolve.js';

const USAGE = 'flowlog ipam check|lookup [ADDR...] [--enrich FILE] [--format table|json]';
const ORDER: ProblemKind[] = ['invalid', 'source', 'conflict', 'duplicate', 'host-bits', 'shadowed', 'unknown-owner', 'no-owner'];

export async function ipamCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { enrich: { type: 'string' }, format: { type: 'string' } }, USAGE, { flags: {
    enrich: 'YAML file with an enrich: section (default FLOWLOG_ENRICH)', format: 'table or json' } });
  const [sub, ...addrs] = positionals;
  const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
  const file = resolveConfig({ env: process.env, flags: { enrich: values.enrich } }).enrich_file;
  if (sub !== 'check' && sub !== 'lookup') throw new FlowlogError('USAGE', `unknown ipam command "${sub ?? ''}"`, `usage: ${USAGE}`);
  requireSettingFile(file, 'enrich', values.enrich, 'FLOWLOG_ENRICH');
  let model: IpamModel;
  try {
    model = file ? await loadIpam(loadEnrichFile(file).settings) : buildModel({ records: builtinClassRecords() });
  } catch (e) {
    // an unreadable source (IpamSourceError) and a reader's own failure both mean: this IPAM does not load
    if (e instanceof FlowlogError && e.code !== 'IPAM_INVALID') throw e;
    process.stderr.write(`error IPAM_INVALID: ${safeLines((e as Error).message)}\n  hint: fix or remove that source; a running flowlog keeps its current IPAM version until this loads\n`);
    return 2;
  }
  return sub === 'check' ? check(model, format, file) : lookup(model, addrs, format);
}

function check(model: IpamModel, format: 'table' | 'json', file: string | undefined): number {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const bySource = new Map<string, number>();
  for (const e of model.entries) for (const s of e.sources) bySource.set(s, (bySource.get(s) ?? 0) + 1);
  if (format === 'json') {
    out(JSON.stringify({ version: model.version, prefixes: model.entries.length, by_source: Object.fromEntries(bySource), problems: model.problems }));
    return model.problems.length ? 1 : 0;
  }
  out(`IPAM ${file ?? '(built-in classes only: pass --enrich FILE)'}: version ${model.version}, ${model.entries.length} prefixes (${[...bySource].map(([s, n]) => `${safeText(s)} ${n}`).join(', ')}), ${model.entries.filter((e) => e.org).length} the organisation's`);
  if (model.problems.length === 0) { out('No problems.'); return 0; }
  for (const kind of ORDER) {
    const ps = model.problems.filter((p) => p.kind === kind);
    if (ps.length === 0) continue;
    out(`\n${kind} (${ps.length}):`);
    for (const p of ps.slice(0, 50)) out(`  ${safeText(`${p.cidr ? `${p.cidr}: ` : ''}${p.message}`)}`);
    if (ps.length > 50) out(`  ... and ${ps.length - 50} more (--format json lists all)`);
  }
  return 1;
}

function lookup(model: IpamModel, addrs: string[], format: 'table' | 'json'): number {
  if (addrs.length === 0) throw new FlowlogError('USAGE', 'ipam lookup needs at least one address', `usage: ${USAGE}`);
  const rows = addrs.map((a) => {
    const ip = parseIpText(a);
    if (!ip) throw new FlowlogError('USAGE', `"${a}" is not an IP address`, 'pass addresses like 10.1.2.3 or 2600:1f18::1');
    const id = model.table.lookup(ip, 0);
    const e = id >= 0 ? model.entries[id]! : null;
    return { address: a, prefix: e?.cidr ?? null, internal: e?.internal ?? false, ...(e?.attrs ?? {}), origins: e?.origins ?? [] };
  });
  if (format === 'json') for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
  // keys and values come from IPAM and inventory exports: shown, never obeyed by the terminal
  else for (const r of rows) process.stdout.write(`${Object.entries(r).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${safeText(k)}=${safeText(Array.isArray(v) ? v.join(',') : String(v))}`).join('  ')}\n`);
  return 0;
}
