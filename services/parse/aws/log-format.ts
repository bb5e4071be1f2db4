/**
 * Turns a field order (from a header line or a declared `log_format`) into a
 * compiled plan: per position, the token kind and target column. The order is
 * always declared, never guessed from the token count.
 */
import { COLUMN_INDEX, type FlowColumnName } from '../../../schemas/flow.js';
import { FlowlogError } from '../../core/errors.js';
import { AWS_FIELD_BY_NAME, DEFAULT_V2_FORMAT, Tok } from './fields.js';

export interface FormatPlan {
  readonly names: readonly string[];
  readonly toks: Int32Array;
  readonly cols: Int32Array;
  /** Columns this format writes: to undo a half-written rejected row. */
  readonly touched: Int32Array;
  readonly logType: 'vpc' | 'tgw';
  /** AWS: a custom format's version is the highest version among its fields. */
  readonly impliedVersion: number;
  readonly hasVersion: boolean;
  readonly hasStart: boolean;
  readonly hasEnd: boolean;
  readonly unknown: readonly string[];
}

const NAME_RE = /^[a-z][a-z0-9-]*$/;

/** Splits `${a} ${b}` or `a b` into field names. */
export function splitLogFormat(format: string): string[] {
  const trimmed = format.trim();
  if (trimmed === '') throw new FlowlogError('LOG_FORMAT_INVALID', 'log format is empty', 'pass e.g. --log-format "${version} ${account-id} ..."');
  return trimmed.split(/\s+/).map((t) => {
    const m = /^\$\{([^}]+)\}$/.exec(t);
    const name = (m ? m[1]! : t).trim();
    if (!NAME_RE.test(name)) {
      throw new FlowlogError('LOG_FORMAT_INVALID', `log format token "${t}" is not a field name`, 'write fields as ${field-name} separated by spaces, as in aws ec2 create-flow-logs --log-format');
    }
    return name;
  });
}

export function compilePlan(names: readonly string[]): FormatPlan {
  const toks = new Int32Array(names.length);
  const cols = new Int32Array(names.length);
  const touched = new Set<number>();
  const unknown: string[] = [];
  let tgw = false, implied = 2;
  for (let i = 0; i < names.length; i++) {
    const field = AWS_FIELD_BY_NAME.get(names[i]!);
    if (!field || field.column === null) {
      // A field AWS adds later must not break ingest: keep the record, drop the value, say so.
      unknown.push(names[i]!);
      toks[i] = Tok.Skip; cols[i] = -1;
      continue;
    }
    toks[i] = field.tok;
    cols[i] = COLUMN_INDEX[field.column as FlowColumnName];
    touched.add(cols[i]!);
    if (field.tgw) tgw = true;
    implied = Math.max(implied, field.version);
  }
  for (const c of ['version', 'start_time', 'end_time'] as const) touched.add(COLUMN_INDEX[c]);
  return {
    names, toks, cols, touched: Int32Array.from(touched), unknown,
    logType: tgw ? 'tgw' : 'vpc',
    impliedVersion: implied,
    hasVersion: names.includes('version'),
    hasStart: names.includes('start'),
    hasEnd: names.includes('end'),
  };
}

export const compileLogFormat = (format: string): FormatPlan => compilePlan(splitLogFormat(format));

export const DEFAULT_PLAN: FormatPlan = compileLogFormat(DEFAULT_V2_FORMAT);

/** Is this line a header (field names, as S3 text delivery writes first)? */
export function headerNames(line: string): string[] | null {
  const names = line.trim().split(' ');
  if (names.length === 0 || !AWS_FIELD_BY_NAME.has(names[0]!)) return null;
  return names.every((n) => NAME_RE.test(n)) ? names : null;
}
