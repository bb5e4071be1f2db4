/**
 * Test support: a ClickHouse HTTP endpoint served by the embedded engine, so
 * the server store runs against real ClickHouse SQL without a server binary
 * (none can be installed here). It speaks the subset @clickhouse/client uses:
 * GET /ping; POST / with the query in the body or the `query` parameter,
 * settings and `param_*` bindings as URL parameters, gzip request and
 * response bodies, and INSERT ... FORMAT X with the data as the body. Errors
 * keep ClickHouse's shape: the HTTP status its exception code maps to, the
 * X-ClickHouse-Exception-Code header and a `Code: N. DB::Exception: ...` body.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'chdb';
import { STATUS_ERROR_NAMES, loadStatusCodes, statusForCode } from './status.js';

/** URL parameters that are protocol, not query settings. */
const RESERVED = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check',
  'user', 'password', 'compress', 'decompress', 'enable_http_compression', 'quota_key', 'buffer_size', 'wait_end_of_query',
  'http_headers_progress_interval_ms', 'send_progress_in_http_headers', 'role']);
const INSERT_RE = /^\s*INSERT\s+INTO\s+([\w.`"]+)\s*(?:\(([^)]*)\))?\s*(?:SETTINGS\s+(.+?)\s+)?FORMAT\s+(\w+)\s*$/is;
const FORMAT_RE = /\bFORMAT\s+(\w+)\s*;?\s*$/i;
let seq = 0;
const BINARY_FORMATS = new Set(['Native', 'ArrowStream', 'Arrow', 'Parquet', 'RowBinary', 'RowBinaryWithNamesAndTypes']);

/** A query parameter's value as ClickHouse reads it: in the escaped text format (`\\'` is a quote, `\\\\` a backslash), which the engine's own binding does not undo. */
function unescapeParam(v: string): string {
  const named: Record<string, string> = { b: '\b', f: '\f', r: '\r', n: '\n', t: '\t', 0: '\0' };
  return v.replace(/\\(.)/gs, (_, c: string) => named[c] ?? c);
}

export interface ChdbHttpServer { url: string; close(): Promise<void>; server: Server; queries: number }

/** `tls`: serve HTTPS with this certificate (as ClickHouse does on 8443). */
export async function startChdbHttpServer(opts: { dataDir: string; user?: string; password?: string; port?: number; tls?: { cert: Buffer; key: Buffer } }): Promise<ChdbHttpServer> {
  const session = new Session(opts.dataDir);
  const version = (session.query('SELECT version()', 'TSVRaw') as string).trim();
  const names = STATUS_ERROR_NAMES.map((n) => `'${n}'`).join(',');
  loadStatusCodes((session.query(`SELECT DISTINCT name, code FROM system.errors WHERE name IN (${names}) SETTINGS system_events_show_zero_values = 1`, 'JSONEachRow') as string)
    .trim().split('\n').map((l) => JSON.parse(l) as { name: string; code: number }));
  const state = { queries: 0 };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => { handle(req, res).catch((e) => fail(res, e as Error)); };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createServer(onRequest);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping') { res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n'); return; }
    if (url.pathname !== '/') { res.writeHead(404).end(`There is no handle ${url.pathname}\n`); return; }
    if (!authorized(req, url)) {
      sendError(res, 516, `Code: 516. DB::Exception: ${user(req, url)}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version ${version})\n`);
      return;
    }
    let body = await readBody(req);
    if (req.headers['content-encoding'] === 'gzip' && body.length > 0) body = gunzipSync(body);
    let query = url.searchParams.get('query');
    if (query === null) { query = body.toString('utf8'); body = Buffer.alloc(0); } else if (body.length > 0 && !INSERT_RE.test(query)) {
      query = `${query}\n${body.toString('utf8')}`; body = Buffer.alloc(0); // ClickHouse appends the body to the query
    }
    const settings: string[] = [];
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) {
      if (k.startsWith('param_')) params[k.slice(6)] = unescapeParam(v);
      else if (!RESERVED.has(k)) settings.push(`${k} = ${/^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`}`);
    }
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    state.queries++;
    const insert = INSERT_RE.exec(query);
    let result: Buffer;
    let format = 'TabSeparated';
    if (insert && body.length > 0) {
      result = await insertBody(insert, body, settings);
    } else {
      const m = FORMAT_RE.exec(query);
      if (m) { format = m[1]!; query = query.slice(0, m.index); } else format = url.searchParams.get('default_format') ?? 'TabSeparated';
      const isSelect = /^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b/i.test(query);
      const sql = isSelect && settings.length ? `${query.replace(/;\s*$/, '')}\nSETTINGS ${settings.join(', ')}` : query;
      const r = Object.keys(params).length ? await session.queryBindAsync(sql, params, { format }) : await session.queryAsync(sql, { format });
      result = Buffer.from(r.bytes());
    }
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Format': format,
      'X-ClickHouse-Timezone': 'UTC',
      'X-ClickHouse-Server-Display-Name': 'flowlog-chdb-http',
      'X-ClickHouse-Summary': JSON.stringify({ read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: String(result.length) }),
    };
    const gzip = url.searchParams.get('enable_http_compression') === '1' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) { headers['Content-Encoding'] = 'gzip'; result = gzipSync(result); }
    res.writeHead(200, headers).end(result);
  }

  /** INSERT with the data as body: the engine parses the body in the declared format into the target's own column types. */
  async function insertBody(m: RegExpExecArray, body: Buffer, settings: string[]): Promise<Buffer> {
    const [, table, cols, inlineSettings, fmt] = m;
    const path = join(tmpdir(), `chdb-http-${process.pid}-${seq++}.${fmt!.toLowerCase()}`);
    await writeFile(path, body);
    try {
      const all = [...(inlineSettings ? [inlineSettings] : []), ...settings];
      if (BINARY_FORMATS.has(fmt!)) {
        // binary formats carry their own types; the engine converts them into the target columns
        await session.queryAsync(`INSERT INTO ${table} ${cols ? `(${cols})` : ''} SELECT * FROM file('${path}', '${fmt}')${all.length ? ` SETTINGS ${all.join(', ')}` : ''}`, { format: 'TSV' });
      } else {
        // text formats go through the engine's own INSERT ... FORMAT, so omitted fields take the columns' DEFAULTs as on a server
        const settingsObj = Object.fromEntries(all.map((kv) => { const [k, ...v] = kv.split('='); return [k!.trim(), v.join('=').trim().replace(/^'(.*)'$/s, '$1')]; }));
        await session.insert({
          table: table!.replace(/[`"]/g, ''), values: body, format: fmt as 'JSONEachRow',
          ...(cols ? { columns: cols.split(',').map((c) => c.trim()) } : {}), settings: settingsObj,
        });
      }
      return Buffer.alloc(0);
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }

  function user(req: IncomingMessage, url: URL): string {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) return Buffer.from(basic[1]!, 'base64').toString().split(':')[0]!;
    return String(req.headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default');
  }

  function authorized(req: IncomingMessage, url: URL): boolean {
    if (opts.user === undefined) return true;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [u, p] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(/:(.*)/s) : [user(req, url), String(req.headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? '')];
    return u === opts.user && (p ?? '') === (opts.password ?? '');
  }

  function fail(res: ServerResponse, e: Error): void {
    const msg = e.message.replace(/^Query failed: /, '').trim();
    const code = Number(/Code: (\d+)\./.exec(msg)?.[1] ?? 1002);
    const text = /Code: \d+\./.test(msg) ? msg : `Code: ${code}. DB::Exception: ${msg}. (UNKNOWN_EXCEPTION)`;
    sendError(res, code, `${text} (version ${version})\n`);
  }

  function sendError(res: ServerResponse, code: number, body: string): void {
    if (res.headersSent) { res.end(); return; }
    res.writeHead(statusForCode(code), { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(code) }).end(body);
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    server,
    get queries() { return state.queries; },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive clients would otherwise hold the close open
      await closed;
      session.close();
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
