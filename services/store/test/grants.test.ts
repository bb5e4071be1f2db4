/**
 * The test endpoint cannot enforce grants, so the grants are checked against
 * what the code does: the tables each command reads and writes are derived
 * from the SQL in the code (saved queries, investigate, report, detectors,
 * the committer's and stores' inserts, the materialized views), and
 * sql/access/roles.sql must grant the analyst SELECT on every table its
 * commands read and nothing but SELECT, and the writer INSERT on every table
 * flowlog writes and SELECT on every table it reads.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROLES_FILE } from '../../cli/commands/migrate.js';
import { MIGRATIONS_DIR, splitStatements } from '../migrations.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'test' ? [] : files(p, ext);
    return p.endsWith(ext) && !p.endsWith('.test.ts') ? [p] : [];
  });
}
const text = (paths: string[]) => paths.map((p) => readFileSync(p, 'utf8')).join('\n');

const migrations = text(files(MIGRATIONS_DIR, '.sql'));
/** Every table, view and dictionary the migrations create (materialized views are never queried by name). */
const relations = new Set(['schema_migrations', ...[...migrations.matchAll(/CREATE (?:TABLE|VIEW|DICTIONARY) IF NOT EXISTS (\w+)/g)].map((m) => m[1]!)]);
/** View -> the tables it reads: a view is read with the reader's rights. */
const views = new Map([...migrations.matchAll(/CREATE VIEW IF NOT EXISTS (\w+) AS[\s\S]*?FROM (\w+)/g)].map((m) => [m[1]!, m[2]!]));
/** Materialized view target <- source: an insert into the source writes the target as the inserting user. */
const mvs = [...migrations.matchAll(/CREATE MATERIALIZED VIEW IF NOT EXISTS \w+ TO (\w+) AS[\s\S]*?\nFROM (\w+)/g)].map((m) => ({ to: m[1]!, from: m[2]! }));

function reads(src: string): Set<string> {
  const out = new Set<string>();
  for (const m of src.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)) if (relations.has(m[1]!)) out.add(m[1]!);
  for (const m of src.matchAll(/dictGet\w*\(\s*'(\w+)'/g)) out.add(m[1]!);
  for (const v of [...out]) if (views.has(v)) out.add(views.get(v)!);
  return out;
}

function writes(src: string): Set<string> {
  const out = new Set<string>();
  for (const m of src.matchAll(/(?:insertJsonLines|insertRaw|insertJson)\(\s*'(\w+)'|\btable: '(\w+)'|INSERT INTO (\w+)/g)) {
    const t = m[1] ?? m[2] ?? m[3]!;
    if (relations.has(t)) out.add(t);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const v of mvs) if (out.has(v.from) && !out.has(v.to)) { out.add(v.to); grew = true; }
  }
  return out;
}

// the analyst's commands: saved queries (flowlog sql --saved), investigate, report
const analystReads = reads(text([...files(join(ROOT, 'sql/queries'), '.sql'), ...files(join(ROOT, 'services/investigate'), '.ts'), ...files(join(ROOT, 'services/report'), '.ts')]));
// everything flowlog runs as the writer; migrations (schema_migrations) are the administrator's
const serviceCode = files(join(ROOT, 'services'), '.ts').filter((p) => !p.endsWith(join('store', 'migrations.ts')) && !p.includes(`${join('services', 'bench')}`));
const writerReads = reads(text(serviceCode));
const writerWrites = writes(text(serviceCode));

interface Grant { privileges: string[]; on: string; to: string }
const grants: Grant[] = splitStatements(readFileSync(ROLES_FILE, 'utf8')).filter((s) => s.startsWith('GRANT')).map((s) => {
  const m = /^GRANT (.+) ON (\S+) TO (\w+)$/.exec(s.replace(/\s+/g, ' '));
  if (!m) throw new Error(`unexpected GRANT: ${s}`);
  return { privileges: m[1]!.split(',').map((p) => p.trim()), on: m[2]!, to: m[3]! };
});
const granted = (role: string, privilege: string) => new Set(grants.filter((g) => g.to === role && g.privileges.includes(privilege)).map((g) => g.on));

describe('roles.sql against the tables the code reads and writes', () => {
  it('derives a real list from the code', () => {
    // what the analyst role could not do before: saved queries on anomalies, egress and violations, investigate's IPAM
    expect([...analystReads].sort()).toEqual(expect.arrayContaining(['anomalies', 'anomalies_current', 'egress_1h', 'flows', 'flows_1m', 'ipam_current', 'ipam_prefixes', 'policy_violations']));
    expect([...writerWrites].sort()).toEqual(['anomalies', 'egress_1h', 'flows', 'flows_1m', 'flows_rejected', 'ingest_ledger', 'ipam_prefixes', 'leases', 'policy_violations', 'source_cursors']);
    expect(writerReads).toContain('leases');
    expect(writerReads).toContain('ingest_ledger');
    expect(writerReads).toContain('source_cursors');
  });

  it('grants the analyst SELECT on every table its commands read, and nothing but SELECT', () => {
    const select = granted('flowlog_analyst', 'SELECT');
    for (const t of analystReads) expect(select, `analyst cannot read ${t}`).toContain(t);
    for (const g of grants.filter((x) => x.to === 'flowlog_analyst')) expect(g.privileges, `${g.privileges.join(', ')} ON ${g.on}`).toEqual(['SELECT']);
    // the analyst may query every table users look at, the bookkeeping included
    for (const t of ['flows_rejected', 'ingest_ledger', 'source_cursors', 'schema_migrations']) expect(select).toContain(t);
  });

  it('grants the writer INSERT on every table flowlog writes, SELECT on every table it reads, no DDL', () => {
    const insert = granted('flowlog_writer', 'INSERT'), select = granted('flowlog_writer', 'SELECT');
    for (const t of writerWrites) expect(insert, `writer cannot insert into ${t}`).toContain(t);
    for (const t of writerReads) {
      if (t === 'ipam_trie') expect(granted('flowlog_writer', 'dictGet')).toContain(t);
      else expect(select, `writer cannot read ${t}`).toContain(t);
    }
    expect(insert).not.toContain('schema_migrations');
    // an IPAM reload refreshes the dictionary over the new snapshot
    expect(text(serviceCode)).toContain('SYSTEM RELOAD DICTIONARY ipam_trie');
    expect(granted('flowlog_writer', 'SYSTEM RELOAD DICTIONARY')).toContain('*.*');
    expect(granted('flowlog_analyst', 'SYSTEM RELOAD DICTIONARY').size).toBe(0);
    for (const g of grants) expect(g.privileges.join(' '), `${g.to}: ${g.privileges.join(', ')} ON ${g.on}`).not.toMatch(/ALTER|CREATE|DROP|TRUNCATE|ALL/);
  });
});
