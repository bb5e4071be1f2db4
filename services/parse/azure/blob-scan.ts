/**
 * The byte path for the common Azure document: a `{"records":[...]}` blob
 * whose every record is a well-formed NSG or VNet flow record with plain
 * (unescaped ASCII) tuple strings. One pass over the bytes finds each tuple
 * group and the byte range of each tuple; no JSON.parse, no string or object
 * per tuple or record. Anything else (another shape, a part the general path
 * would reject, an escape, a duplicate key, invalid JSON anywhere) returns
 * null and the document goes to GroupCursor, which reads it as before: the
 * scan decides before a single row is written.
 */
import { giveUp, JsonBytes, keyBytes, NotPlain } from './json-bytes.js';
import { subscriptionOf, type AzureLogType, type RecordMeta } from './layout.js';

/** A tuple group found in the bytes: what TupleGroup holds, as offsets. */
export interface ScannedGroup {
  meta: RecordMeta;
  /** Byte range of the record's resource id, the group's rule and MAC; start -1 = null. */
  resStart: number; resEnd: number;
  ruleStart: number; ruleEnd: number;
  macStart: number; macEnd: number;
  /** Position parts: records[rec].flows[f].flows[g] (NSG) or .flowGroups[g] (VNet). */
  rec: number; f: number; g: number;
  /** Its tuples are pairs [2*t0, 2*(t0+n)) of `tuples`. */
  t0: number; n: number;
}

export interface ScannedBlob {
  groups: ScannedGroup[];
  /** Start and end offset of every tuple's text in the document, in order. */
  tuples: Int32Array;
  /** Type of the first record, as GroupCursor reports it; null for no records. */
  logType: AzureLogType | null;
}

const LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, QUOTE = 34;
const K = {
  records: keyBytes('records'), resourceId: keyBytes('resourceId'), properties: keyBytes('properties'),
  flowRecords: keyBytes('flowRecords'), targetResourceID: keyBytes('targetResourceID'),
  flowLogResourceID: keyBytes('flowLogResourceID'), flowLogVersion: keyBytes('flowLogVersion'),
  macAddress: keyBytes('macAddress'), Version: keyBytes('Version'), flows: keyBytes('flows'),
  rule: keyBytes('rule'), mac: keyBytes('mac'), flowTuples: keyBytes('flowTuples'), flowGroups: keyBytes('flowGroups'),
};

/** The blob's groups and tuples, or null when the general path must read it. */
export function scanBlob(doc: Buffer): ScannedBlob | null {
  try {
    return new BlobScan(doc).run();
  } catch (e) {
    if (e instanceof NotPlain) return null;
    throw e;
  }
}

class BlobScan {
  private readonly j: JsonBytes;
  private readonly groups: ScannedGroup[] = [];
  private tuples = new Int32Array(256);
  private nt = 0;
  /** Kind of the first record, groups or not. */
  private logType: AzureLogType | null = null;
  /** Range of the last string read by `str` (start -1: the value was not a string). */
  private s = -1;
  private e = -1;
  private prev: { meta: RecordMeta; res: number; resEnd: number; acc: number; accEnd: number } | null = null;

  constructor(private readonly doc: Buffer) {
    this.j = new JsonBytes(doc);
  }

  run(): ScannedBlob {
    const j = this.j;
    if (this.doc[0] === 0xef && this.doc[1] === 0xbb && this.doc[2] === 0xbf) j.pos = 3;
    let seen = false;
    j.expect(LBRACE);
    if (!j.eat(RBRACE)) {
      do {
        const k = j.key();
        if (!j.is(k, K.records)) { j.skip(1); continue; }
        if (seen) giveUp();
        seen = true;
        j.expect(LBRACKET);
        if (j.eat(RBRACKET)) continue;
        let rec = 0;
        do this.record(rec++); while (j.more(RBRACKET));
      } while (j.more(RBRACE));
    }
    if (!seen) giveUp();
    j.finish();
    return { groups: this.groups, tuples: this.tuples.subarray(0, this.nt * 2), logType: this.logType };
  }

  /** Reads a string value's range into s/e, or s = -1 for any other value; gives up on a string that is not plain. */
  private str(): void {
    const j = this.j;
    if (j.peek() !== QUOTE) { j.skip(1); this.s = -1; return; }
    this.s = j.string();
    this.e = j.end;
    if (!j.plain) giveUp();
  }

  private record(rec: number): void {
    const j = this.j;
    const g0 = this.groups.length;
    let res = -1, resEnd = -1, target = -1, targetEnd = -1, flowLog = -1, flowLogEnd = -1, mac = -1, macEnd = -1;
    let nsgVersion: number | null = null, vnetVersion: number | null = null;
    let nsg = false, vnet = false, seen = 0;
    j.expect(LBRACE);
    if (!j.eat(RBRACE)) {
      do {
        const k = j.key();
        if (j.is(k, K.resourceId)) { seen = once(seen, 1); this.str(); res = this.s; resEnd = this.e; }
        else if (j.is(k, K.targetResourceID)) { seen = once(seen, 2); this.str(); target = this.s; targetEnd = this.e; }
        else if (j.is(k, K.flowLogResourceID)) { seen = once(seen, 4); this.str(); flowLog = this.s; flowLogEnd = this.e; }
        else if (j.is(k, K.macAddress)) { seen = once(seen, 8); this.str(); mac = this.s; macEnd = this.e; }
        else if (j.is(k, K.flowLogVersion)) { seen = once(seen, 16); vnetVersion = this.version(); }
        else if (j.is(k, K.properties)) {
          seen = once(seen, 32);
          if (j.peek() !== LBRACE) j.skip(1);
          else { nsg = this.nsgProperties(rec); nsgVersion = this.nsgVersion; }
        } else if (j.is(k, K.flowRecords)) {
          seen = once(seen, 64);
          if (j.peek() !== LBRACE) j.skip(1);
          else vnet = this.vnetFlowRecords(rec);
        } else j.skip(1);
      } while (j.more(RBRACE));
    }
    // neither is not a flow record (a reject); both never happen in real logs
    if (nsg === vnet) giveUp();
    // the resource id: NSG resourceId, VNet targetResourceID; the subscription from it, or from VNet flowLogResourceID
    const rs = nsg ? res : target, re = nsg ? resEnd : targetEnd;
    const as = rs >= 0 || nsg ? rs : flowLog, ae = rs >= 0 || nsg ? re : flowLogEnd;
    const meta = this.meta(nsg ? 'nsg' : 'vnet', nsg ? nsgVersion : vnetVersion, rs, re, as, ae);
    this.logType ??= meta.logType;
    for (let i = g0; i < this.groups.length; i++) {
      const g = this.groups[i]!;
      g.meta = meta; g.resStart = rs; g.resEnd = re;
      if (vnet) { g.macStart = mac; g.macEnd = macEnd; }
    }
  }

  /** The record's meta, shared with the previous record when it is the same (Azure repeats it record after record). */
  private meta(logType: AzureLogType, version: number | null, rs: number, re: number, as: number, ae: number): RecordMeta {
    const p = this.prev;
    if (p && p.meta.logType === logType && p.meta.version === version && this.same(p.res, p.resEnd, rs, re) && this.same(p.acc, p.accEnd, as, ae)) return p.meta;
    const resourceId = this.text(rs, re);
    const meta: RecordMeta = { logType, version, accountId: subscriptionOf(as === rs ? resourceId : this.text(as, ae)), resourceId };
    this.prev = { meta, res: rs, resEnd: re, acc: as, accEnd: ae };
    return meta;
  }

  private text(s: number, e: number): string | null {
    return s < 0 ? null : this.doc.toString('latin1', s, e);
  }

  private same(a: number, ae: number, b: number, be: number): boolean {
    if (a < 0 || b < 0) return a < 0 && b < 0;
    return ae - a === be - b && this.doc.compare(this.doc, a, ae, b, be) === 0;
  }

  /** NSG `Version` / VNet `flowLogVersion` as layout.ts's u8 reads it: an integer 0-255, or a string of 1-3 digits. */
  private version(): number | null {
    const j = this.j, x = j.peek();
    if (x === QUOTE) {
      const s = j.string(), n = j.end - s;
      if (j.escaped) giveUp();
      if (n < 1 || n > 3) return null;
      let v = 0;
      for (let i = s; i < s + n; i++) { const d = this.doc[i]! - 48; if (d < 0 || d > 9) return null; v = v * 10 + d; }
      return v <= 255 ? v : null;
    }
    if (x === 45 || (x >= 48 && x <= 57)) {
      const v = Number(this.doc.toString('latin1', j.number(), j.pos));
      return Number.isInteger(v) && v >= 0 && v <= 255 ? v : null;
    }
    j.skip(1);
    return null;
  }

  /** Version of the last `properties` read by nsgProperties. */
  private nsgVersion: number | null = null;

  /** `properties` of an NSG record: true when it had a `flows` array (the record is NSG). */
  private nsgProperties(rec: number): boolean {
    const j = this.j;
    let flows = false, seen = 0;
    this.nsgVersion = null;
    j.expect(LBRACE);
    if (j.eat(RBRACE)) return false;
    do {
      const k = j.key();
      if (j.is(k, K.Version)) { seen = once(seen, 1); this.nsgVersion = this.version(); }
      else if (j.is(k, K.flows)) { seen = once(seen, 2); flows = this.flowsArray(rec, NSG_RULE); }
      else j.skip(1);
    } while (j.more(RBRACE));
    return flows;
  }

  /**
   * The value of a record's `flows` key (NSG properties.flows, VNet
   * flowRecords.flows): an array read container by container (true), or
   * anything else skipped (false) for the general path to judge. Callers give
   * up on a second `flows` key, so this one answer stands for the object.
   */
  private flowsArray(rec: number, nsg: boolean): boolean {
    const j = this.j;
    if (j.peek() !== LBRACKET) { j.skip(1); return false; }
    j.expect(LBRACKET);
    if (j.eat(RBRACKET)) return true;
    let f = 0;
    do this.container(rec, f++, nsg); while (j.more(RBRACKET));
    return true;
  }

  /**
   * NSG: properties.flows[f], {rule, flows: [{mac, flowTuples}]}; VNet:
   * flowRecords.flows[f], {flowGroups: [{rule, flowTuples}]}. Without the
   * array the general path rejects it: give up.
   */
  private container(rec: number, f: number, nsg: boolean): void {
    const j = this.j;
    const g0 = this.groups.length;
    const list = nsg ? K.flows : K.flowGroups;
    let s = -1, e = -1, seen = 0;
    j.expect(LBRACE);
    if (!j.eat(RBRACE)) {
      do {
        const k = j.key();
        if (j.is(k, list)) {
          seen = once(seen, 1);
          j.expect(LBRACKET);
          if (j.eat(RBRACKET)) continue;
          let g = 0;
          do this.group(rec, f, g++, nsg ? K.mac : K.rule); while (j.more(RBRACKET));
        } else if (nsg && j.is(k, K.rule)) {
          seen = once(seen, 2);
          this.str(); s = this.s; e = this.e;
        } else j.skip(1);
      } while (j.more(RBRACE));
    }
    if (!(seen & 1)) giveUp();
    if (!nsg) return;
    for (let i = g0; i < this.groups.length; i++) { const g = this.groups[i]!; g.ruleStart = s; g.ruleEnd = e; }
  }

  /** One tuple group: `flowTuples` (plain strings only) and its `mac` (NSG) or `rule` (VNet). */
  private group(rec: number, f: number, g: number, name: Uint8Array): void {
    const j = this.j;
    const grp: ScannedGroup = {
      meta: NO_META, resStart: -1, resEnd: -1, ruleStart: -1, ruleEnd: -1, macStart: -1, macEnd: -1, rec, f, g, t0: 0, n: 0,
    };
    let s = -1, e = -1, seen = 0;
    j.expect(LBRACE);
    if (!j.eat(RBRACE)) {
      do {
        const k = j.key();
        if (j.is(k, K.flowTuples)) {
          if (seen & 1) giveUp();
          seen |= 1;
          grp.t0 = this.nt;
          j.expect(LBRACKET);
          if (!j.eat(RBRACKET)) do this.tuple(); while (j.more(RBRACKET));
          grp.n = this.nt - grp.t0;
        } else if (j.is(k, name)) {
          if (seen & 2) giveUp();
          seen |= 2;
          this.str(); s = this.s; e = this.e;
        } else j.skip(1);
      } while (j.more(RBRACE));
    }
    if (!(seen & 1)) giveUp();
    if (name === K.mac) { grp.macStart = s; grp.macEnd = e; } else { grp.ruleStart = s; grp.ruleEnd = e; }
    this.groups.push(grp);
  }

  /** One tuple: a plain string; anything else (a number, an escape) is the general path's to reject or decode. */
  private tuple(): void {
    const j = this.j;
    const s = j.string();
    if (!j.plain) giveUp();
    if (this.nt * 2 === this.tuples.length) {
      const t = new Int32Array(this.tuples.length * 2);
      t.set(this.tuples);
      this.tuples = t;
    }
    this.tuples[this.nt * 2] = s;
    this.tuples[this.nt * 2 + 1] = j.end;
    this.nt++;
  }

  /** records[rec].flowRecords: {flows: [{flowGroups: [{rule, flowTuples}]}]}; true when it had a `flows` array. */
  private vnetFlowRecords(rec: number): boolean {
    const j = this.j;
    let flows = false, seen = false;
    j.expect(LBRACE);
    if (j.eat(RBRACE)) return false;
    do {
      const k = j.key();
      if (!j.is(k, K.flows)) { j.skip(1); continue; }
      if (seen) giveUp();
      seen = true;
      flows = this.flowsArray(rec, VNET_ACL);
    } while (j.more(RBRACE));
    return flows;
  }
}

const NSG_RULE = true, VNET_ACL = false;

/** A key of interest seen twice in one object: JSON.parse keeps the last, the byte path gives up. */
function once(seen: number, bit: number): number {
  if (seen & bit) giveUp();
  return seen | bit;
}

/** Placeholder until the record's meta is known (set when the record closes). */
const NO_META: RecordMeta = { logType: 'nsg', version: null, accountId: null, resourceId: null };
