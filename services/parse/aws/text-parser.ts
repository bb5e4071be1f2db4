/**
 * The hot path for AWS VPC / Transit Gateway text flow logs: reads lines out
 * of a byte buffer straight into a FlowBatch's columns. One pass per token, no
 * split, no regex, no string per field; strings are interned from bytes.
 *
 * One instance parses one object (it keeps the object's format and line count),
 * and can be fed the object in chunks: `parse` returns where it stopped, either
 * because the batch is full or because the rest is an unfinished line.
 */
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import { parseIpInto } from '../../core/ip.js';
import type { RejectBatch, RejectReason } from '../../core/rejects.js';
import { Tok } from './fields.js';
import { DEFAULT_PLAN, compilePlan, headerNames, type FormatPlan } from './log-format.js';

const C_PROVIDER = COLUMN_INDEX.provider;
const C_LOG_TYPE = COLUMN_INDEX.log_type;
const C_VERSION = COLUMN_INDEX.version;
const C_START = COLUMN_INDEX.start_time;
const C_END = COLUMN_INDEX.end_time;
const C_SOURCE = COLUMN_INDEX.source;
const SPACE = 32, DASH = 45, NL = 10, CR = 13;
/** Longer than any real record (a v8 line with every ECS ARN is ~1.5 KB). */
export const MAX_LINE = 64 * 1024;

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

export interface AwsParseStats { lines: number; unknownFields: readonly string[] }

export class AwsTextParser {
  plan: FormatPlan;
  /** 1-based number of the last line read. */
  line = 0;
  private failReason: RejectReason = 'FIELD_COUNT';
  private failDetail = '';

  /** @param declared a `log_format` from configuration; a header line in the object overrides it. */
  constructor(readonly source: string, declared?: FormatPlan) {
    this.plan = declared ?? DEFAULT_PLAN;
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
    this.markPresent(batch);
    while (pos < end) {
      if (batch.length >= batch.capacity) return pos;
      let nl = buf.indexOf(NL, pos);
      if (nl < 0 || nl >= end) {
        if (!final) return pos;
        nl = end;
      }
      let le = nl;
      if (le > pos && buf[le - 1] === CR) le--;
      this.line++;
      if (le - pos > MAX_LINE) {
        rejects.add(this.source, this.line, 'LINE_TOO_LONG', `${le - pos} bytes`, buf.subarray(pos, pos + 256));
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
            const reason = hasBinary(buf, pos, le) ? 'BINARY' : this.failReason;
            rejects.add(this.source, this.line, reason, reason === 'BINARY' ? 'control or non-ASCII bytes' : this.failDetail, buf.subarray(pos, le));
          }
        }
      }
      pos = nl + 1;
    }
    return Math.min(pos, end);
  }

  private markPresent(batch: FlowBatch): void {
    const t = this.plan.touched;
    for (let i = 0; i < t.length; i++) batch.present[t[i]!] = 1;
    batch.present[C_PROVIDER] = 1; batch.present[C_LOG_TYPE] = 1; batch.present[C_SOURCE] = 1;
  }

  private tryHeader(buf: Buffer, pos: number, le: number): boolean {
    const names = headerNames(buf.toString('latin1', pos, le));
    if (!names) return false;
    this.plan = compilePlan(names);
    return true;
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
    for (let fi = 0; fi < nf; fi++) {
      if (p > end) return this.fail('FIELD_COUNT', `expected ${nf} fields, got ${fi}`);
      let q = p;
      while (q < end && b[q] !== SPACE) q++;
      if (q === p) return this.fail(p === end ? 'FIELD_COUNT' : 'EMPTY_FIELD', p === end ? `expected ${nf} fields, got ${fi}` : `field ${fi + 1} (${this.plan.names[fi]}) is empty`);
      const c = cols[fi]!;
      const tok = toks[fi]!;
      if (tok === Tok.Skip) { p = q + 1; continue; }
      if (q - p === 1 && b[p] === DASH) {
        nulls[c]![row] = 1;
        p = q + 1;
        continue;
      }
      switch (tok) {
        case Tok.Str: {
          for (let i = p; i < q; i++) { const x = b[i]!; if (x < 0x21 || x > 0x7e) return this.fail('BINARY', ''); }
          batch.codes[c]![row] = batch.dicts[c]!.intern(b, p, q);
          break;
        }
        case Tok.Ip: {
          if (!parseIpInto(b, p, q, batch.ip[c]!, row * 16)) return this.fail('BAD_ADDR', `${this.plan.names[fi]} "${b.toString('latin1', p, Math.min(q, p + 64))}"`);
          break;
        }
        case Tok.Action: case Tok.Status: {
          if (!(tok === Tok.Action ? isAction(b, p, q) : isStatus(b, p, q))) {
            return this.fail('BAD_ENUM', `${this.plan.names[fi]} "${b.toString('latin1', p, Math.min(q, p + 32))}"`);
          }
          batch.codes[c]![row] = batch.dicts[c]!.intern(b, p, q);
          break;
        }
        default: {
          // unsigned decimal, exact only up to 2^53: no real counter gets there, and we never store a rounded one
          if (q - p > 16) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} has ${q - p} digits`);
          let v = 0;
          for (let i = p; i < q; i++) {
            const d = b[i]! - 48;
            if (d < 0 || d > 9) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} "${b.toString('latin1', p, Math.min(q, p + 32))}"`);
            v = v * 10 + d;
          }
          if (v > Number.MAX_SAFE_INTEGER) return this.fail('BAD_NUMBER', `${this.plan.names[fi]} is above 2^53`);
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

  /** Derived columns: implied version, and one capture-window bound standing in for a missing other. */
  private finishRow(batch: FlowBatch, row: number): boolean {
    const plan = this.plan;
    if (!plan.hasVersion) { batch.num[C_VERSION]![row] = plan.impliedVersion; batch.nulls[C_VERSION]![row] = 0; }
    const sNull = !plan.hasStart || batch.nulls[C_START]![row] === 1;
    const eNull = !plan.hasEnd || batch.nulls[C_END]![row] === 1;
    if (sNull && eNull) return this.fail(plan.hasStart || plan.hasEnd ? 'BAD_TIME' : 'NO_TIME', 'the record has neither start nor end');
    if (sNull) { batch.num[C_START]![row] = batch.num[C_END]![row]!; batch.nulls[C_START]![row] = 0; }
    if (eNull) { batch.num[C_END]![row] = batch.num[C_START]![row]!; batch.nulls[C_END]![row] = 0; }
    return true;
  }
}
