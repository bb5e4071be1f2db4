/**
 * The hot path for AWS VPC / Transit Gateway text flow logs: reads lines out
 * of a byte buffer straight into a FlowBatch's columns. One pass per token, no
 * split, no regex, no string per field; strings are interned from bytes.
 *
 * One instance parses one object (it keeps the object's format and line count),
 * and can be fed the object in chunks: `parse` returns where it stopped, either
 * because the batch is full or because the rest is an unfinished line.
 */
import { COLUMN_INDEX, FLOW_COLUMNS } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import { parseIpInto } from '../../core/ip.js';
import type { RejectBatch, RejectReason } from '../../core/rejects.js';
import { Tok } from './fields.js';
import { DEFAULT_LIMITS } from '../../../schemas/config.js';
import { DEFAULT_PLAN, compilePlan, headerNames, type FormatPlan } from './log-format.js';

const COLUMN_COUNT = FLOW_COLUMNS.length;
const C_PROVIDER = COLUMN_INDEX.provider;
const C_LOG_TYPE = COLUMN_INDEX.log_type;
const C_VERSION = COLUMN_INDEX.version;
const C_START = COLUMN_INDEX.start_time;
const C_END = COLUMN_INDEX.end_time;
const C_SOURCE = COLUMN_INDEX.source;
const C_ACTION = COLUMN_INDEX.action;
const C_STATUS = COLUMN_INDEX.log_status;
const SPACE = 32, DASH = 45, NL = 10, CR = 13, DOT = 46;
/** Longer than any real record (a v8 line with every ECS ARN is ~1.5 KB): limits.max_line_bytes's default. */
export const MAX_LINE = DEFAULT_LIMITS.max_line_bytes;
/** Bytes of an over-long line kept as its reject's raw text. */
export const LONG_LINE_RAW = 256;

/** Tokens whose value is one of a small set: checked on bytes without decoding. */
function isAction(b: Uint8Array, p: number, q: number): boolean {
  // ACCEPT | REJECT
  return q - p === 6 && ((b[p] === 65 && b[p + 1] === 67) || (b[p] === 82 && b[p + 1] === 69));
}
function isStatus(b: Uint8Array, p: number, q: number): boolean {
  const n = q - p; // OK | NODATA | SKIPDATA
  return (n === 2 && b[p] === 79 && b[p + 1] === 75) || (n === 6 && b[p] === 78) || (n === 8 && b[p] === 83);
}

function hasBinary(b: Uint8Array, p: number, q: number): boolean {
  for (let i = p; i < q; i++) { const x = b[i]!; if (x < 0x20 || x > 0x7e) return true; }
  return false;
}

/**
 * Plans by header line (null: not a header): a backfill of small objects reads
 * the same few headers thousands of times, one per object, and a plan is
 * never changed once compiled. Bounded, for a source whose headers all differ.
 */
const HEADER_PLANS = new Map<string, FormatPlan | null>();
const MAX_HEADER_PLANS = 256;

export class AwsTextParser {
  plan: FormatPlan;
  /** 1-based number of the last line read. */
  line = 0;
  private failReason: RejectReason = 'FIELD_COUNT';
  /** Dictionary codes of the enum values in the current batch, set at each parse() call. */
  private readonly codes = { accept: 0, reject: 0, ok: 0, nodata: 0, skipdata: 0 };
  private failDetail = '';

  /**
   * By column, the last string token interned in this parse() call (its offset, length and code; length -1:
   * none): rows of one object repeat most of theirs (account, VPC, subnet, instance, interface, region, zone),
   * and a token equal to the one before takes its code without hashing and probing the dictionary again.
   */
  private readonly lastStart = new Int32Array(COLUMN_COUNT);
  private readonly lastLen = new Int32Array(COLUMN_COUNT).fill(-1);
  private readonly lastCode = new Int32Array(COLUMN_COUNT);

  /** Things a person should know that are not rejects (fields we do not know yet, whose values are skipped). */
  readonly warnings: string[] = [];

  /**
   * @param declared a `log_format` from configuration; a header line in the object overrides it.
   * @param maxLine limits.max_line_bytes: a longer line is one LINE_TOO_LONG reject.
   */
  constructor(readonly source: string, declared?: FormatPlan, readonly maxLine: number = MAX_LINE) {
    this.plan = declared ?? DEFAULT_PLAN;
    this.noteUnknown(0);
  }

  private noteUnknown(line: number): void {
    if (this.plan.unknown.length === 0) return;
    this.warnings.push(`${this.source}${line ? `:${line}` : ''}: unknown field${this.plan.unknown.length > 1 ? 's' : ''} ${this.plan.unknown.join(', ')}: values skipped (a newer AWS field? please report it)`);
  }

  /**
   * Parses complete lines of buf[pos, end) into batch. With `final` false an
   * unterminated last line is left for the next call. Returns the offset of the
   * first byte not consumed (== end when all was consumed).
   */
  parse(buf: Buffer, pos: number, end: number, final: boolean, batch: FlowBatch, rejects: RejectBatch): number {
    const providerCode = batch.dicts[C_PROVIDER]!.internString('aws');
    const sourceCode = batch.dicts[C_SOURCE]!.internString(this.source);
    let logTypeCode = batch.dicts[C_LOG_TYPE]!.internString(this.plan.logType);
    const actions = batch.dicts[C_ACTION]!, statuses = batch.dicts[C_STATUS]!;
    this.codes.accept = actions.internString('ACCEPT'); this.codes.reject = actions.internString('REJECT');
    this.codes.ok = statuses.internString('OK'); this.codes.nodata = statuses.internString('NODATA'); this.codes.skipdata = statuses.internString('SKIPDATA');
    this.markPresent(batch);
    this.lastLen.fill(-1); // another buffer, or a batch whose dictionaries were reset
    while (pos < end) {
      if (batch.length >= batch.capacity || rejects.full) return pos;
      let nl = buf.indexOf(NL, pos);
      if (nl < 0 || nl >= end) {
        if (!final) return pos;
        nl = end;
      }
      let le = nl;
      if (le > pos && buf[le - 1] === CR) le--;
      this.line++;
      if (le - pos > this.maxLine) {
        this.rejectLongLine(rejects, le - pos, buf.subarray(pos, pos + LONG_LINE_RAW));
      } else if (le > pos) {
        const first = buf[pos]!;
        if (first >= 97 && first <= 122 && this.tryHeader(buf, pos, le)) {
          logTypeCode = batch.dicts[C_LOG_TYPE]!.internString(this.plan.logType);
          this.markPresent(batch);
        } else {
          const row = batch.length;
          if (this.parseLine(buf, pos, le, batch, row)) {
            batch.codes[C_PROVIDER]![row] = providerCode; batch.nulls[C_PROVIDER]![row] = 0;
            batch.codes[C_LOG_TYPE]![row] = logTypeCode; batch.nulls[C_LOG_TYPE]![row] = 0;
            batch.codes[C_SOURCE]![row] = sourceCode; batch.nulls[C_SOURCE]![row] = 0;
            batch.length = row + 1;
          } else {
            batch.clearRow(row, this.plan.touched);
            this.explainFailure(buf, pos, le);
            rejects.add(this.source, this.line, this.failReason, this.failDetail, buf.subarray(pos, le));
          }
        }
      }
      pos = nl + 1;
    }
    return Math.min(pos, end);
  }

  /** One LINE_TOO_LONG reject for the line just counted: its length and its first bytes. */
  rejectLongLine(rejects: RejectBatch, bytes: number, head: Uint8Array): void {
    rejects.add(this.source, this.line, 'LINE_TOO_LONG', `${bytes} bytes (limit ${this.maxLine}, limits.max_line_bytes)`, head);
  }

  private markPresent(batch: FlowBatch): void {
    const t = this.plan.touched;
    for (let i = 0; i < t.length; i++) batch.use(t[i]!);
    batch.use(C_PROVIDER); batch.use(C_LOG_TYPE); batch.use(C_SOURCE);
  }

  private tryHeader(buf: Buffer, pos: number, le: number): boolean {
    const line = buf.toString('latin1', pos, le);
    let plan = HEADER_PLANS.get(line);
    if (plan === undefined) {
      const names = headerNames(line);
      plan = names ? compilePlan(names) : null;
      if (HEADER_PLANS.size >= MAX_HEADER_PLANS) HEADER_PLANS.clear();
      HEADER_PLANS.set(line, plan);
    }
    if (!plan) return false;
    this.plan = plan;
    this.noteUnknown(this.line);
    return true;
  }

  /**
   * The first bad field decides the reason while parsing; on the (rare) reject
   * path we look at the whole line once more, because "binary junk" and "not
   * this format at all" say more than the first field that failed.
   */
  private explainFailure(b: Buffer, start: number, end: number): void {
    if (hasBinary(b, start, end)) { this.fail('BINARY', 'control or non-ASCII bytes'); return; }
    if (this.failReason === 'EMPTY_FIELD') return;
    let fields = 1;
    for (let i = start; i < end; i++) if (b[i] === SPACE) fields++;
    const nf = this.plan.toks.length;
    if (fields !== nf) this.fail('FIELD_COUNT', `expected ${nf} fields, got ${fields}`);
  }

  private fail(reason: RejectReason, detail: string): false {
    this.failReason = reason;
    this.failDetail = detail;
    return false;
  }

  /** Parses one line into row `row`; false (with failReason set) when the record is bad. */
  private parseLine(b: Buffer, start: number, end: number, batch: FlowBatch, row: number): boolean {
    const { toks, cols } = this.plan;
    const nf = toks.length;
    const nulls = batch.nulls;
    let p = start;
    // Each token kind scans its own bytes up to the next space while parsing them:
    // one pass per token, no separate split.
    for (let fi = 0; fi < nf; fi++) {
      if (p > end) return this.fail('FIELD_COUNT', `expected ${nf} fields, got ${fi}`);
      if (p === end || b[p] === SPACE) return this.fail(p === end ? 'FIELD_COUNT' : 'EMPTY_FIELD', p === end ? `expected ${nf} fields, got ${fi}` : `field ${fi + 1} (${this.plan.names[fi]}) is empty`);
      const c = cols[fi]!;
      const tok = toks[fi]!;
      let q = p;
      if (b[p] === DASH && (p + 1 === end || b[p + 1] === SPACE)) {
        if (c >= 0) nulls[c]![row] = 1;
        p += 2;
        continue;
      }
      switch (tok) {
        case Tok.Skip: {
          while (q < end && b[q] !== SPACE) q++;
          p = q + 1;
          continue;
        }
        case Tok.Str: {
          const n = this.lastLen[c]!;
          if (n > 0 && p + n <= end && (p + n === end || b[p + n] === SPACE)) {
            const l = this.lastStart[c]!;
            let i = 0;
            while (i < n && b[p + i] === b[l + i]) i++;
            if (i === n) { batch.codes[c]![row] = this.lastCode[c]!; q = p + n; break; }
          }
          // FNV-1a while scanning, so interning does not re-read the bytes
          let h = 0x811c9dc5;
          for (; q < end; q++) {
            const x = b[q]!;
            if (x === SPACE) break;
            if (x < 0x21 || x > 0x7e) return this.fail('BINARY', '');
            h = Math.imul(h ^ x, 0x01000193);
          }
          const code = batch.dicts[c]!.internHashed(b, p, q, h >>> 0);
          batch.codes[c]![row] = code;
          this.lastStart[c] = p; this.lastLen[c] = q - p; this.lastCode[c] = code;
          break;
        }
        case Tok.Ip: {
          q = this.ipToken(b, p, end, batch.ip[c]!, row * 16);
          if (q < 0) return this.fail('BAD_ADDR', `${this.plan.names[fi]} "${b.toString('latin1', p, Math.min(this.tokenEnd(b, p, end), p + 64))}"`);
          break;
        }
        case Tok.Action: case Tok.Status: {
          q = this.tokenEnd(b, p, end);
          const code = tok === Tok.Action ? this.actionCode(b, p, q) : this.statusCode(b, p, q);
          if (code < 0) return this.fail('BAD_ENUM', `${this.plan.names[fi]} "${b.toString('latin1', p, Math.min(q, p + 32))}"`);
          batch.codes[c]![row] = code;
          break;
        }
        default: {
          let v = 0;
          for (; q < end; q++) {
            const x = b[q]!;
            if (x === SPACE) break;
            const d = x - 48;
            if (d < 0 || d > 9) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} "${b.toString('latin1', p, Math.min(this.tokenEnd(b, p, end), p + 32))}"`);
            v = v * 10 + d;
          }
          // exact only up to 2^53: no real counter gets there, and we never store a rounded one
          if (q - p > 16 || v > Number.MAX_SAFE_INTEGER) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} is above 2^53`);
          if (tok === Tok.Port) { if (v > 65535) return this.fail('BAD_PORT', `${this.plan.names[fi]} ${v}`); }
          else if (tok === Tok.U8) { if (v > 255) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} ${v} > 255`); }
          else if (tok === Tok.U16) { if (v > 65535) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} ${v} > 65535`); }
          else if (tok === Tok.Time) { if (q - p > 11) return this.fail('BAD_TIME', `${this.plan.names[fi]} ${v} is not Unix seconds`); v *= 1000; }
          batch.num[c]![row] = v;
        }
      }
      nulls[c]![row] = 0;
      p = q + 1;
    }
    if (p <= end) return this.fail('FIELD_COUNT', `expected ${nf} fields, got more`);
    return this.finishRow(batch, row);
  }

  private tokenEnd(b: Buffer, p: number, end: number): number {
    while (p < end && b[p] !== SPACE) p++;
    return p;
  }

  /**
   * Dotted IPv4 parsed while scanning (the common case). Anything else (a ':',
   * a group over 255, ...) is handed to the full parser, which decides. Returns
   * the token end, or -1.
   */
  private ipToken(b: Buffer, p: number, end: number, out: Uint8Array, o: number): number {
    let q = p, part = 0, val = 0, digits = 0;
    for (; q < end; q++) {
      const x = b[q]!;
      if (x === SPACE) break;
      if (x === DOT && digits > 0 && part < 3) {
        out[o + 12 + part++] = val;
        val = 0; digits = 0;
      } else if (x >= 48 && x <= 57 && !(digits > 0 && val === 0) && digits < 3 && val * 10 + (x - 48) <= 255) {
        val = val * 10 + (x - 48);
        digits++;
      } else {
        const e = this.tokenEnd(b, q, end);
        return parseIpInto(b, p, e, out, o) ? e : -1;
      }
    }
    if (part !== 3 || digits === 0) return -1;
    out[o + 15] = val;
    for (let i = 0; i < 10; i++) out[o + i] = 0;
    out[o + 10] = 0xff; out[o + 11] = 0xff;
    return q;
  }

  private actionCode(b: Buffer, p: number, q: number): number {
    return isAction(b, p, q) ? (b[p] === 65 ? this.codes.accept : this.codes.reject) : -1;
  }

  private statusCode(b: Buffer, p: number, q: number): number {
    if (!isStatus(b, p, q)) return -1;
    return b[p] === 79 ? this.codes.ok : b[p] === 78 ? this.codes.nodata : this.codes.skipdata;
  }

  private finishRow(batch: FlowBatch, row: number): boolean {
    const reason = finishAwsRow(this.plan, batch, row);
    return reason ? this.fail(reason, 'the record has neither start nor end') : true;
  }
}

/** Derived columns: implied version, and one capture-window bound standing in for a missing other. Null when fine. */
export function finishAwsRow(plan: FormatPlan, batch: FlowBatch, row: number): RejectReason | null {
  if (!plan.hasVersion) { batch.num[C_VERSION]![row] = plan.impliedVersion; batch.nulls[C_VERSION]![row] = 0; }
  const sNull = !plan.hasStart || batch.nulls[C_START]![row] === 1;
  const eNull = !plan.hasEnd || batch.nulls[C_END]![row] === 1;
  if (sNull && eNull) return plan.hasStart || plan.hasEnd ? 'BAD_TIME' : 'NO_TIME';
  if (sNull) { batch.num[C_START]![row] = batch.num[C_END]![row]!; batch.nulls[C_START]![row] = 0; }
  if (eNull) { batch.num[C_END]![row] = batch.num[C_START]![row]!; batch.nulls[C_END]![row] = 0; }
  return null;
}
