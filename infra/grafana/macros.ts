/**
 * What Grafana and the grafana-clickhouse-datasource plugin do to a panel's
 * SQL before ClickHouse sees it, so a test can run the dashboards' SQL as the
 * plugin would send it. Three steps, in the plugin's order:
 * 1. `$__conditionalAll(condition, $var)` (the plugin's frontend): the
 *    condition, or `1=1` when the variable selects All (or nothing);
 * 2. template variables (Grafana): `$var`, `${var}`, `${var:format}`,
 *    `[[var]]`; All expands to every option (no custom all value);
 * 3. the backend macros of the plugin's README: `$__timeFilter(col)`,
 *    `$__timeFilter_ms(col)`, `$__dateFilter(col)`, `$__fromTime`,
 *    `$__toTime`, `$__fromTime_ms`, `$__toTime_ms`, `$__interval_s`,
 *    `$__timeInterval(col)`, `$__timeInterval_ms(col)`.
 * A `$` left over afterwards is an error: the panel would fail in Grafana too.
 */

export const ALL = '$__all';

export interface TemplateVariable {
  /** What the dashboard selects: `$__all`, or the chosen values. */
  readonly current: typeof ALL | readonly string[];
  /** Every option the variable offers (what All expands to). */
  readonly options: readonly string[];
}

export interface QueryContext {
  readonly from: Date;
  readonly to: Date;
  /** The panel's interval (Grafana: range / max data points, rounded). */
  readonly intervalMs: number;
  readonly variables: Readonly<Record<string, TemplateVariable>>;
}

/** The comma-separated arguments of a call whose `(` is at `open`, nested parentheses and quotes respected; and where it ends. */
export function macroArgs(text: string, open: number): { args: string[]; end: number } {
  if (text[open] !== '(') throw new Error(`expected "(" at ${open}`);
  const args: string[] = [];
  let depth = 0, start = open + 1, quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth === 0) {
        args.push(text.slice(start, i).trim());
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`unclosed "(" at ${open}: ${text.slice(open, open + 60)}`);
}

const selectsAll = (v: TemplateVariable | undefined): boolean =>
  v === undefined || v.current === ALL || v.current.length === 0;

/** Step 1, as the plugin does it: from the last occurrence backwards. */
export function applyConditionalAll(sql: string, vars: QueryContext['variables']): string {
  const macro = '$__conditionalAll';
  let at = sql.lastIndexOf(`${macro}(`);
  while (at !== -1) {
    const { args, end } = macroArgs(sql, at + macro.length);
    if (args.length !== 2) throw new Error(`$__conditionalAll takes 2 arguments, got ${args.length}: ${sql.slice(at, end)}`);
    const name = args[1]!.replace(/^\$\{?|\}$/g, '');
    if (!(name in vars)) throw new Error(`$__conditionalAll names $${name}, which the dashboard does not define`);
    sql = sql.slice(0, at) + (selectsAll(vars[name]) ? '1=1' : args[0]) + sql.slice(end);
    at = sql.lastIndexOf(`${macro}(`);
  }
  return sql;
}

function format(values: readonly string[], fmt: string | undefined, name: string): string {
  switch (fmt) {
    case 'singlequote': return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote': return values.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'csv': return values.join(',');
    case 'raw': case undefined:
      // Grafana's default for several values is a {a,b} glob: never valid SQL, so the dashboards must name a format
      if (values.length === 1) return values[0]!;
      throw new Error(`$${name} holds several values and names no format (use \${${name}:singlequote})`);
    default: throw new Error(`unsupported variable format ${fmt} for $${name}`);
  }
}

/** Step 2: Grafana's variable syntax; names that are no variable (the `$__` macros) stay. */
export function applyVariables(sql: string, vars: QueryContext['variables']): string {
  return sql.replace(/\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g, (whole, a?: string, b?: string, bf?: string, c?: string, cf?: string) => {
    const name = (a ?? b ?? c)!;
    const v = vars[name];
    if (!v) return whole;
    const values = v.current === ALL ? v.options : v.current;
    return format(values, bf ?? cf, name);
  });
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const day = (d: Date) => `toDate('${d.toISOString().slice(0, 10)}')`;

/** Step 3: the plugin's backend macros (pkg/macros), with the same output. */
export function applyMacros(sql: string, ctx: QueryContext): string {
  const from = `toDateTime(${seconds(ctx.from)})`, to = `toDateTime(${seconds(ctx.to)})`;
  const fromMs = `fromUnixTimestamp64Milli(${ctx.from.getTime()})`, toMs = `fromUnixTimestamp64Milli(${ctx.to.getTime()})`;
  const intervalS = Math.trunc(Math.max(ctx.intervalMs / 1000, 1));
  const intervalMs = Math.trunc(Math.max(ctx.intervalMs, 1));
  const one = (name: string, args: string[]): string => {
    if (args.length !== 1 || !args[0]) throw new Error(`$__${name} takes 1 argument, got ${args.length}`);
    return args[0];
  };
  const plain: Record<string, string> = { fromTime: from, toTime: to, fromTime_ms: fromMs, toTime_ms: toMs, interval_s: String(intervalS) };
  const withArgs: Record<string, (args: string[]) => string> = {
    timeFilter: (a) => { const c = one('timeFilter', a); return `${c} >= ${from} AND ${c} <= ${to}`; },
    timeFilter_ms: (a) => { const c = one('timeFilter_ms', a); return `${c} >= ${fromMs} AND ${c} <= ${toMs}`; },
    dateFilter: (a) => { const c = one('dateFilter', a); return `${c} >= ${day(ctx.from)} AND ${c} <= ${day(ctx.to)}`; },
    timeInterval: (a) => `toStartOfInterval(toDateTime(${one('timeInterval', a)}), INTERVAL ${intervalS} second)`,
    timeInterval_ms: (a) => `toStartOfInterval(toDateTime64(${one('timeInterval_ms', a)}, 3), INTERVAL ${intervalMs} millisecond)`,
  };
  let out = '';
  let last = 0;
  const re = /\$__(\w+)/g;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const name = m[1]!;
    const after = m.index + m[0].length;
    out += sql.slice(last, m.index);
    if (withArgs[name] && sql[after] === '(') {
      const { args, end } = macroArgs(sql, after);
      out += withArgs[name](args);
      last = end;
    } else if (name in plain) {
      out += plain[name];
      last = after;
    } else {
      throw new Error(`unknown macro $__${name} (or missing its arguments)`);
    }
    re.lastIndex = last;
  }
  return out + sql.slice(last);
}

/** A panel's SQL as ClickHouse receives it. */
export function expandClickHouseSql(sql: string, ctx: QueryContext): string {
  const out = applyMacros(applyVariables(applyConditionalAll(sql, ctx.variables), ctx.variables), ctx);
  const left = out.replace(/'(?:[^'\\]|\\.)*'/g, "''").match(/\$\S*/);
  if (left) throw new Error(`left unexpanded: ${left[0]}`);
  return out;
}
