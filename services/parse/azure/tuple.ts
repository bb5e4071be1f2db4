/**
 * One Azure flow tuple ("1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66")
 * parsed byte by byte straight into a FlowBatch row: the string is written into
 * a reusable scratch buffer, split on commas in place, and every field lands
 * in its column without a JS object or substring per tuple.
 */
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import { parseIpInto } from '../../core/ip.js';
import type { RejectReason } from '../../core/rejects.js';

const C_START = COLUMN_INDEX.start_time;
const C_END = COLUMN_INDEX.end_time;
const C_SRC = COLUMN_INDEX.src_addr;
const C_DST = COLUMN_INDEX.dst_addr;
const C_SPORT = COLUMN_INDEX.src_port;
const C_DPORT = COLUMN_INDEX.dst_port;
const C_PROTO = COLUMN_INDEX.protocol;
const C_DIR = COLUMN_INDEX.flow_direction;
const C_ACTION = COLUMN_INDEX.action;
const C_STATE = COLUMN_INDEX.flow_state;
const C_ENC = COLUMN_INDEX.encryption;
/** Fields 9..12 of a 13-field tuple, in order. */
const COUNTER_COLS = [COLUMN_INDEX.packets, COLUMN_INDEX.bytes, COLUMN_INDEX.reverse_packets, COLUMN_INDEX.reverse_bytes] as const;

/** Every column a tuple writes: cleared when a tuple fails halfway through. */
export const TUPLE_COLUMNS = Int32Array.of(
  C_START, C_END, C_SRC, C_DST, C_SPORT, C_DPORT, C_PROTO, C_DIR, C_ACTION, C_STATE, C_ENC, ...COUNTER_COLS,
);

/** A real tuple is about 100 chars; the bound keeps the scratch buffer fixed and junk cheap to reject. */
export const MAX_TUPLE_CHARS = 1024;

const NSG_NAMES = ['time', 'src_addr', 'dst_addr', 'src_port', 'dst_port', 'protocol', 'direction', 'decision',
  'state', 'packets', 'bytes', 'reverse_packets', 'reverse_bytes'];
const VNET_NAMES = ['time', 'src_addr', 'dst_addr', 'src_port', 'dst_port', 'protocol', 'direction', 'state',
  'encryption', 'packets', 'bytes', 'reverse_packets', 'reverse_bytes'];

const COMMA = 44;
const EMPTY = -1, BAD = -2;

/** Unsigned decimal in [p,q): EMPTY, BAD, or the value. Over 15 digits is BAD: no real counter has them, and Float64 would round. */
function readUint(b: Uint8Array, p: number, q: number): number {
  if (q === p) return EMPTY;
  if (q - p > 15) return BAD;
  let v = 0;
  for (let i = p; i < q; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return BAD;
    v = v * 10 + d;
  }
  return v;
}

/** One of the single-letter flow states: B(egin) C(ontinuing) E(nd) D(eny). */
function isState(b: Uint8Array, p: number, q: number): boolean {
  const x = b[p];
  return q - p === 1 && (x === 66 || x === 67 || x === 69 || x === 68);
}

export class TupleParser {
  /** Why the last `parse` returned false. */
  reason: RejectReason = 'BAD_TUPLE';
  detail = '';
  // utf8, not latin1: latin1 would fold a char like U+0131 onto '1' and let junk pass as digits
  private readonly buf = Buffer.allocUnsafe(MAX_TUPLE_CHARS * 3);
  /** The bytes the field offsets in `fs` point into: `buf`, or a document. */
  private src: Buffer = this.buf;
  /** Start offset of each field, plus one past the end of the last field. */
  private readonly fs = new Int32Array(14);
  private names = NSG_NAMES;
  private accept = 0;
  private reject = 0;
  private ingress = 0;
  private egress = 0;

  /** Interns the constant values into `batch`: codes do not survive a batch reset, so once per fill. */
  bind(batch: FlowBatch): void {
    this.accept = batch.dicts[C_ACTION]!.internString('ACCEPT');
    this.reject = batch.dicts[C_ACTION]!.internString('REJECT');
    this.ingress = batch.dicts[C_DIR]!.internString('ingress');
    this.egress = batch.dicts[C_DIR]!.internString('egress');
  }

  /**
   * Parses tuple `s` of an NSG (8 or 13 fields) or VNet (13 fields) record into
   * row `row` of the tuple columns. On false, `reason`/`detail` say why and the
   * caller clears TUPLE_COLUMNS of the row.
   */
  parse(s: string, vnet: boolean, batch: FlowBatch, row: number): boolean {
    if (s.length > MAX_TUPLE_CHARS) return this.tooLong(s.length, vnet);
    return this.parseBytes(this.buf, 0, this.buf.write(s, 0, 'utf8'), vnet, batch, row);
  }

  /**
   * `parse` for a tuple already in bytes, b[start, end) (the byte scanner hands
   * out ranges of the document itself): the same checks, rows and reasons as
   * `parse` of the same ASCII text.
   */
  parseBytes(b: Buffer, start: number, end: number, vnet: boolean, batch: FlowBatch, row: number): boolean {
    if (end - start > MAX_TUPLE_CHARS) return this.tooLong(end - start, vnet);
    this.names = vnet ? VNET_NAMES : NSG_NAMES;
    this.src = b;
    const fs = this.fs;
    let nf = 1;
    fs[0] = start;
    for (let i = start; i < end; i++) {
      if (b[i] !== COMMA) continue;
      if (nf === 13) return this.fail('BAD_TUPLE', 'more than 13 fields');
      fs[nf++] = i + 1;
    }
    fs[nf] = end + 1;
    if (nf !== 13 && (vnet || nf !== 8)) {
      return this.fail('BAD_TUPLE', `${nf} field${nf === 1 ? '' : 's'}; expected ${vnet ? '13 (VNet)' : '8 (NSG v1) or 13 (NSG v2)'}`);
    }
    const nulls = batch.nulls;

    let p = fs[0]!, q = fs[1]! - 1;
    let v = readUint(b, p, q);
    if (v === EMPTY) return this.fail('BAD_TIME', 'time is empty');
    if (v === BAD) return this.bad('BAD_NUMBER', 0);
    // Past year 5138 (11 digits of seconds, as the AWS parser allows; 14 of ms) is junk or the wrong unit,
    // and would not print as an ISO date with a 4-digit year.
    if (q - p > (vnet ? 14 : 11)) return this.fail('BAD_TIME', `time ${v} is not Unix ${vnet ? 'milliseconds' : 'seconds'}`);
    if (!vnet) v *= 1000;
    batch.num[C_START]![row] = v; nulls[C_START]![row] = 0;
    batch.num[C_END]![row] = v; nulls[C_END]![row] = 0;

    if (!parseIpInto(b, fs[1]!, fs[2]! - 1, batch.ip[C_SRC]!, row * 16)) return this.bad('BAD_ADDR', 1);
    nulls[C_SRC]![row] = 0;
    if (!parseIpInto(b, fs[2]!, fs[3]! - 1, batch.ip[C_DST]!, row * 16)) return this.bad('BAD_ADDR', 2);
    nulls[C_DST]![row] = 0;

    for (let f = 3; f <= 4; f++) {
      v = readUint(b, fs[f]!, fs[f + 1]! - 1);
      if (v < 0) return this.bad(v === EMPTY ? 'EMPTY_FIELD' : 'BAD_NUMBER', f);
      if (v > 65535) return this.bad('BAD_PORT', f);
      const c = f === 3 ? C_SPORT : C_DPORT;
      batch.num[c]![row] = v; nulls[c]![row] = 0;
    }

    p = fs[5]!; q = fs[6]! - 1;
    if (vnet) {
      v = readUint(b, p, q);
      if (v === EMPTY) return this.bad('EMPTY_FIELD', 5);
      if (v === BAD || v > 255) return this.bad('BAD_NUMBER', 5);
    } else {
      v = q - p !== 1 ? -1 : b[p] === 84 ? 6 : b[p] === 85 ? 17 : -1; // T(CP) | U(DP)
      if (v < 0) return this.bad('BAD_ENUM', 5);
    }
    batch.num[C_PROTO]![row] = v; nulls[C_PROTO]![row] = 0;

    p = fs[6]!; q = fs[7]! - 1;
    if (q - p !== 1 || (b[p] !== 73 && b[p] !== 79)) return this.bad('BAD_ENUM', 6); // I | O
    batch.codes[C_DIR]![row] = b[p] === 73 ? this.ingress : this.egress; nulls[C_DIR]![row] = 0;

    p = fs[7]!; q = fs[8]! - 1;
    if (vnet) {
      // VNet has no decision field: a denied flow is state D
      if (!isState(b, p, q)) return this.bad('BAD_ENUM', 7);
      batch.codes[C_ACTION]![row] = b[p] === 68 ? this.reject : this.accept;
      batch.codes[C_STATE]![row] = batch.dicts[C_STATE]!.intern(b, p, q); nulls[C_STATE]![row] = 0;
      p = fs[8]!; q = fs[9]! - 1;
      for (let i = p; i < q; i++) { const x = b[i]!; if (x < 0x20 || x > 0x7e) return this.bad('BINARY', 8); }
      if (q > p) { batch.codes[C_ENC]![row] = batch.dicts[C_ENC]!.intern(b, p, q); nulls[C_ENC]![row] = 0; }
      else nulls[C_ENC]![row] = 1;
    } else {
      if (q - p !== 1 || (b[p] !== 65 && b[p] !== 68)) return this.bad('BAD_ENUM', 7); // A | D
      batch.codes[C_ACTION]![row] = b[p] === 65 ? this.accept : this.reject;
      nulls[C_ENC]![row] = 1;
      if (nf === 13) {
        p = fs[8]!; q = fs[9]! - 1;
        if (!isState(b, p, q)) return this.bad('BAD_ENUM', 8);
        batch.codes[C_STATE]![row] = batch.dicts[C_STATE]!.intern(b, p, q); nulls[C_STATE]![row] = 0;
      } else nulls[C_STATE]![row] = 1;
    }
    nulls[C_ACTION]![row] = 0;

    for (let k = 0; k < 4; k++) {
      const c = COUNTER_COLS[k]!;
      v = nf === 13 ? readUint(b, fs[9 + k]!, fs[10 + k]! - 1) : EMPTY;
      if (v === BAD) return this.bad('BAD_NUMBER', 9 + k);
      // empty counters are how NSG v2 writes state B: unknown, not zero
      if (v === EMPTY) { nulls[c]![row] = 1; continue; }
      batch.num[c]![row] = v; nulls[c]![row] = 0;
    }
    return true;
  }

  private tooLong(n: number, vnet: boolean): false {
    this.names = vnet ? VNET_NAMES : NSG_NAMES;
    return this.fail('BAD_TUPLE', `${n} chars, more than ${MAX_TUPLE_CHARS}`);
  }

  private bad(reason: RejectReason, field: number): false {
    const p = this.fs[field]!, q = this.fs[field + 1]! - 1;
    return this.fail(reason, `${this.names[field]} "${this.src.toString('utf8', p, Math.min(q, p + 64))}"`);
  }

  private fail(reason: RejectReason, detail: string): false {
    this.reason = reason;
    this.detail = detail;
    return false;
  }
}
