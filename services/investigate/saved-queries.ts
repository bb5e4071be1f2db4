/**
 * Saved queries: `sql/queries/NAME.sql`, plain SQL whose leading `--` comment
 * block says what it answers and which bound parameters it takes:
 *
 *   -- name: top-talkers
 *   -- purpose: the sources that sent the most bytes in a window
 *   --   (indented lines continue the purpose or the parameter above)
 *   -- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start of the window
 *   -- param: addr:String ; no default: the caller must give it
 *   --
 *   -- (after a bare "--", comments are free)
 *
 * The header is strict (unknown keys, a name that is not the file name, a
 * placeholder the header does not declare, a declared parameter the body never
 * uses, are all errors) so a typo fails the test suite, not an analyst at 3 am.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowlogError } from '../core/errors.js';

export interface SavedParam { name: string; type: string; default: string | null; description: string }
export interface SavedQuery { name: string; purpose: string; params: SavedParam[]; sql: string; file: string }

export const QUERIES_DIR = fileURLToPath(new URL('../../sql/queries/', import.meta.url));

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** ClickHouse's query-parameter syntax; a type may hold parentheses and quotes but no braces. */
const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/g;

const normType = (t: string): string => t.replace(/\s+/g, '').toLowerCase();

/** Splits at the first `sep` outside quotes and parentheses (defaults are SQL: `'a;b'`, `f(1, 2)`). */
function splitTop(s: string, sep: string): [string, string | null] {
  let depth = 0, quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) return [s.slice(0, i), s.slice(i + 1)];
  }
  return [s, null];
}

function parseParam(spec: string, fail: (m: string) => never): SavedParam {
  const [decl, description] = splitTop(spec, ';');
  const [nameType, dflt] = splitTop(decl, '=');
  const colon = nameType.indexOf(':');
  if (colon < 0) fail(`"${spec.trim()}" is not name:Type [= default] [; description]`);
  const name = nameType.slice(0, colon).trim(), type = nameType.slice(colon + 1).trim();
  if (!IDENT.test(name)) fail(`parameter name "${name}" is not an identifier`);
  if (!/^[A-Za-z][A-Za-z0-9]*(\(.*\))?$/.test(type)) fail(`parameter ${name}: "${type}" is not a ClickHouse type`);
  const d = dflt?.trim() ?? null;
  if (d === '') fail(`parameter ${name}: empty default (leave out "=" to make it required)`);
  return { name, type, default: d, description: (description ?? '').trim() };
}

export function parseSavedQuery(text: string, file: string): SavedQuery {
  const lines = text.split(/\r?\n/);
  let lineNo = 0;
  const fail = (m: string): never => {
    throw new FlowlogError('CONFIG_INVALID', `${file}:${lineNo}: ${m}`,
      'the header is "-- name: N", "-- purpose: ...", "-- param: name:Type [= default] [; description]" (see sql/queries/README.md)');
  };
  let name: string | null = null, purpose: string | null = null;
  const params: SavedParam[] = [];
  let last: 'purpose' | 'param' | null = null;
  let i = 0;
  for (; i < lines.length && lines[i]!.trimStart().startsWith('--'); i++) {
    lineNo = i + 1;
    const body = lines[i]!.trimStart().slice(2);
    if (body.trim() === '') { i++; break; } // a bare "--" ends the header: free comments may follow
    const kv = /^ ([a-z]+):\s*(.*)$/.exec(body);
    if (!kv) {
      // an indented line continues the entry above it
      if (/^ {2,}\S/.test(body) && last) {
        if (last === 'purpose') purpose = `${purpose} ${body.trim()}`;
        else { const p = params[params.length - 1]!; p.description = `${p.description} ${body.trim()}`.trim(); }
        continue;
      }
      fail(`"--${body}" is neither a "-- key: value" line nor an indented continuation`);
    }
    const [, key, value] = kv as unknown as [string, string, string];
    if (key === 'name') { if (name !== null) fail('name given twice'); name = value.trim(); last = null; }
    else if (key === 'purpose') { if (purpose !== null) fail('purpose given twice'); purpose = value.trim(); last = 'purpose'; }
    else if (key === 'param') {
      const p = parseParam(value, fail);
      if (params.some((x) => x.name === p.name)) fail(`parameter ${p.name} declared twice`);
      params.push(p);
      last = 'param';
    } else fail(`unknown header key "${key}" (name, purpose, param)`);
  }
  lineNo = i;
  const stem = basename(file, '.sql');
  if (name === null) fail('missing "-- name:" line');
  if (name !== stem || !NAME.test(name!)) fail(`name "${name}" must equal the file name "${stem}" (lower-case words joined by -)`);
  if (!purpose) fail('missing "-- purpose:" line');
  const sql = lines.slice(i).join('\n').trim().replace(/;\s*$/, '');
  if (!sql) fail('no SQL after the header');
  const used = new Set<string>();
  for (const m of stripComments(sql).matchAll(PLACEHOLDER)) {
    const p = params.find((x) => x.name === m[1]);
    if (!p) fail(`{${m[1]}:${m[2]}} is used but not declared in the header`);
    if (normType(p!.type) !== normType(m[2]!)) fail(`{${m[1]}:${m[2]}} does not match its declared type ${p!.type}`);
    used.add(m[1]!);
  }
  const unused = params.filter((p) => !used.has(p.name)).map((p) => p.name);
  if (unused.length) fail(`declared but never used: ${unused.join(', ')}`);
  return { name: name!, purpose: purpose!, params, sql, file };
}

/** Comments are not substituted by the engine, so placeholders in them do not count. */
const stripComments = (sql: string): string => sql.replace(/--[^\n]*/g, '');

export function loadSavedQueries(dir = QUERIES_DIR): SavedQuery[] {
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()
    .map((f) => parseSavedQuery(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

export function findSavedQuery(name: string, dir = QUERIES_DIR): SavedQuery {
  const all = loadSavedQueries(dir);
  const q = all.find((x) => x.name === name);
  if (!q) throw new FlowlogError('USAGE', `no saved query "${name}"`, `one of: ${all.map((x) => x.name).join(', ')} (flowlog sql --list-saved)`);
  return q;
}
