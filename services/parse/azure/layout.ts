/**
 * Walks an Azure flow log document down to its tuple groups. A document is the
 * blob `{"records":[...]}`, a single record object, or NDJSON whose lines are
 * either (Event Hubs / Kafka forwarding). JSON.parse runs once per document or
 * line; below that there is one small object per tuple group, never per tuple.
 *
 * Reject positions follow the JSON path with the wrappers left out, so they
 * read the same for NSG and VNet: `records[0].flows[1].flows[0]` (NSG, under
 * `properties`), `records[0].flows[0].flowGroups[1]` (VNet, under
 * `flowRecords`); a single record drops `records[i].`, and NDJSON prefixes
 * the line number: `3:records[0]...`.
 */

export type AzureLogType = 'nsg' | 'vnet';

/** What every tuple of one record shares. */
export interface RecordMeta {
  readonly logType: AzureLogType;
  readonly version: number | null;
  readonly accountId: string | null;
  readonly resourceId: string | null;
}

export interface TupleGroup {
  readonly meta: RecordMeta;
  readonly rule: string | null;
  readonly mac: string | null;
  readonly tuples: readonly unknown[];
  /** Position of the group; tuple i is at `${path}.flowTuples[i]`. */
  readonly path: string;
}

/** Reports a part of the document that is not JSON in the Azure layout: one BAD_JSON reject. */
export type OnBadLayout = (position: string | number, detail: string, raw: string) => void;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const json = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** NSG `Version` / VNet `flowLogVersion`: a number, sometimes written as a string. */
function u8(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255 ? n : null;
}

const SUBSCRIPTION_RE = /\/subscriptions\/([^/]+)/i;
/** Azure writes resource ids in either case (NSG upper, VNet target mixed): the GUID is compared lower-cased. */
export function subscriptionOf(resourceId: string | null): string | null {
  const m = resourceId === null ? null : SUBSCRIPTION_RE.exec(resourceId);
  return m ? m[1]!.toLowerCase() : null;
}

export function recordKind(rec: unknown): AzureLogType | null {
  if (!isObj(rec)) return null;
  const fr = rec.flowRecords;
  if (isObj(fr) && Array.isArray(fr.flows)) return 'vnet';
  const pr = rec.properties;
  if (isObj(pr) && Array.isArray(pr.flows)) return 'nsg';
  return null;
}

/** The tuple groups of a record already known to be of `kind`; `base` prefixes every path. */
function groupsOf(rec: Obj, kind: AzureLogType, base: string, bad: OnBadLayout): TupleGroup[] {
  const groups: TupleGroup[] = [];
  if (kind === 'nsg') {
    const props = rec.properties as Obj;
    const resourceId = str(rec.resourceId);
    const meta: RecordMeta = { logType: 'nsg', version: u8(props.Version), accountId: subscriptionOf(resourceId), resourceId };
    const flows = props.flows as unknown[];
    for (let f = 0; f < flows.length; f++) {
      const rf = flows[f], p = `${base}flows[${f}]`;
      if (!isObj(rf) || !Array.isArray(rf.flows)) { bad(p, 'rule entry without a flows array', json(rf)); continue; }
      for (let g = 0; g < rf.flows.length; g++) {
        const mf: unknown = rf.flows[g], gp = `${p}.flows[${g}]`;
        if (!isObj(mf) || !Array.isArray(mf.flowTuples)) { bad(gp, 'flow without a flowTuples array', json(mf)); continue; }
        groups.push({ meta, rule: str(rf.rule), mac: str(mf.mac), tuples: mf.flowTuples, path: gp });
      }
    }
  } else {
    const target = str(rec.targetResourceID);
    const meta: RecordMeta = {
      logType: 'vnet', version: u8(rec.flowLogVersion),
      accountId: subscriptionOf(target ?? str(rec.flowLogResourceID)), resourceId: target,
    };
    const mac = str(rec.macAddress);
    const flows = (rec.flowRecords as Obj).flows as unknown[];
    for (let f = 0; f < flows.length; f++) {
      const af = flows[f], p = `${base}flows[${f}]`;
      if (!isObj(af) || !Array.isArray(af.flowGroups)) { bad(p, 'ACL entry without a flowGroups array', json(af)); continue; }
      for (let g = 0; g < af.flowGroups.length; g++) {
        const grp: unknown = af.flowGroups[g], gp = `${p}.flowGroups[${g}]`;
        if (!isObj(grp) || !Array.isArray(grp.flowTuples)) { bad(gp, 'flow group without a flowTuples array', json(grp)); continue; }
        groups.push({ meta, rule: str(grp.rule), mac, tuples: grp.flowTuples, path: gp });
      }
    }
  }
  return groups;
}

/**
 * A document that is not one JSON value is NDJSON when some line is a whole
 * object on its own; otherwise it is one broken document and gets one reject,
 * not one per line of a pretty-printed blob.
 */
function looksLikeNdjson(text: string): boolean {
  for (let pos = 0; pos < text.length;) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let e = nl;
    while (e > pos && (text.charCodeAt(e - 1) <= 32)) e--;
    if (e - pos >= 2 && text.charCodeAt(pos) === 123 && text.charCodeAt(e - 1) === 125) return true;
    pos = nl + 1;
  }
  return false;
}

const NON_SPACE = /\S/;
const enum Mode { Start, Ndjson, Done }

/** Hands out the tuple groups of one document in order, parsing lazily (an NDJSON line at a time). */
export class GroupCursor {
  /** Type of the first flow record seen; null before that or when there is none. */
  logType: AzureLogType | null = null;
  private mode = Mode.Start;
  private doc: Buffer | null;
  private text = '';
  private pos = 0;
  private line = 0;
  private records: readonly unknown[] = [];
  private kinds: (AzureLogType | null)[] = [];
  private ri = 0;
  private blob = false;
  /** '' for a whole document, `${line}:` for an NDJSON line. */
  private base = '';
  private groups: TupleGroup[] = [];
  private gi = 0;

  constructor(doc: Buffer) {
    this.doc = doc;
  }

  /** The next tuple group, or null at the end of the document. */
  next(bad: OnBadLayout): TupleGroup | null {
    for (;;) {
      if (this.gi < this.groups.length) return this.groups[this.gi++]!;
      this.groups = []; this.gi = 0;
      if (this.ri < this.records.length) {
        const i = this.ri++;
        const kind = this.kinds[i];
        // records of no known kind were reported when the unit was opened
        if (kind) this.groups = groupsOf(this.records[i] as Obj, kind, this.blob ? `${this.base}records[${i}].` : this.base, bad);
        continue;
      }
      this.records = []; this.kinds = []; this.ri = 0;
      if (!this.nextUnit(bad)) return null;
    }
  }

  /** Gives up on the rest of the document. */
  abandon(): void {
    this.mode = Mode.Done;
    this.doc = null; this.text = '';
    this.records = []; this.kinds = []; this.groups = [];
  }

  /** Opens the next document or NDJSON line; false when there is none. */
  private nextUnit(bad: OnBadLayout): boolean {
    if (this.mode === Mode.Start) {
      let text = this.doc!.toString('utf8');
      this.doc = null;
      this.mode = Mode.Done;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      // an empty object carries no records: nothing to parse, nothing lost
      if (!NON_SPACE.test(text)) return false;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        if (looksLikeNdjson(text)) { this.mode = Mode.Ndjson; this.text = text; return true; }
        bad(1, `not valid JSON: ${(e as Error).message}`, text);
        return true;
      }
      this.open(value, 1, '', text, bad);
      return true;
    }
    if (this.mode === Mode.Ndjson) {
      const text = this.text;
      while (this.pos < text.length) {
        let nl = text.indexOf('\n', this.pos);
        if (nl < 0) nl = text.length;
        const line = text.slice(this.pos, nl);
        this.pos = nl + 1;
        this.line++;
        if (!NON_SPACE.test(line)) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (e) {
          bad(this.line, `not valid JSON: ${(e as Error).message}`, line);
          return true;
        }
        this.open(value, this.line, `${this.line}:`, line, bad);
        return true;
      }
      this.abandon();
    }
    return false;
  }

  private open(value: unknown, position: number, base: string, raw: string, bad: OnBadLayout): void {
    this.base = base;
    this.blob = isObj(value) && Array.isArray(value.records);
    this.records = this.blob ? ((value as Obj).records as unknown[]) : [value];
    this.ri = 0;
    this.kinds = this.records.map(recordKind);
    let nbad = 0, first = -1;
    for (let i = 0; i < this.kinds.length; i++) {
      const k = this.kinds[i]!;
      if (k === null) { nbad++; if (first < 0) first = i; } else if (this.logType === null) this.logType = k;
    }
    if (nbad === 0) return;
    const what = 'Azure NSG (properties.flows) or VNet (flowRecords.flows) flow record';
    // one reject per document or line, however many of its records are foreign (e.g. an activity log blob)
    if (!this.blob) bad(position, `not an ${what}`, raw);
    else if (nbad === this.records.length) bad(position, `none of the ${nbad} records is an ${what}`, raw);
    else bad(`${base}records[${first}]`, `${nbad} of ${this.records.length} records are not ${what}s; the first is records[${first}]`, json(this.records[first]));
  }
}
