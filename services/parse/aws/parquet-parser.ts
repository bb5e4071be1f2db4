/**
 * AWS flow logs delivered as Parquet: the column names are the field names
 * with `_` for `-` (log_status, pkt_srcaddr, ...), typed INT32/INT64/STRING.
 * Values are checked with the same rules as the text parser and rejected
 * row by row with the same reason codes.
 */
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import { parseIpInto } from '../../core/ip.js';
import type { RejectBatch, RejectReason } from '../../core/rejects.js';
import type { ParquetColumns } from '../../decode/parquet.js';
import type { BufferedObjectParser } from '../object-parser.js';
import { Tok } from './fields.js';
import { compilePlan, type FormatPlan } from './log-format.js';
import { finishAwsRow } from './text-parser.js';

const LIMIT: Partial<Record<Tok, number>> = { [Tok.U8]: 255, [Tok.U16]: 65535, [Tok.Port]: 65535, [Tok.U64]: Number.MAX_SAFE_INTEGER, [Tok.Time]: 99_999_999_999 };
const ENUMS: Partial<Record<Tok, ReadonlySet<string>>> = { [Tok.Action]: new Set(['ACCEPT', 'REJECT']), [Tok.Status]: new Set(['OK', 'NODATA', 'SKIPDATA']) };

export class AwsParquetParser implements BufferedObjectParser {
  private row = 0;
  private readonly plan: FormatPlan;
  private readonly scratch = Buffer.alloc(64);
  readonly warnings: string[] = [];

  constructor(private readonly source: string, private readonly data: ParquetColumns) {
    this.plan = compilePlan(data.names.map((n) => n.replace(/_/g, '-')));
    if (this.plan.unknown.length) this.warnings.push(`${source}: unknown Parquet columns ${this.plan.unknown.join(', ')}: values skipped`);
  }

  fill(batch: FlowBatch, rejects: RejectBatch): boolean {
    const { toks, cols, touched } = this.plan;
    for (let i = 0; i < touched.length; i++) batch.use(touched[i]!);
    for (const c of [COLUMN_INDEX.provider, COLUMN_INDEX.log_type, COLUMN_INDEX.source]) batch.use(c);
    const fixed = [
      [COLUMN_INDEX.provider, batch.dicts[COLUMN_INDEX.provider]!.internString('aws')],
      [COLUMN_INDEX.log_type, batch.dicts[COLUMN_INDEX.log_type]!.internString(this.plan.logType)],
      [COLUMN_INDEX.source, batch.dicts[COLUMN_INDEX.source]!.internString(this.source)],
    ] as const;
    while (this.row < this.data.rows) {
      if (batch.length >= batch.capacity || rejects.full) return false;
      const r = this.row++, out = batch.length;
      let bad: [RejectReason, string] | null = null;
      for (let f = 0; f < toks.length && !bad; f++) {
        const tok = toks[f]!, c = cols[f]!;
        if (tok === Tok.Skip) continue;
        const v = this.data.columns[f]![r];
        if (v === null || v === undefined || v === '-') { batch.nulls[c]![out] = 1; continue; }
        bad = this.write(batch, c, out, tok, v, this.plan.names[f]!);
        if (!bad) batch.nulls[c]![out] = 0;
      }
      if (!bad) { const reason = finishAwsRow(this.plan, batch, out); if (reason) bad = [reason, 'the record has neither start nor end']; }
      if (bad) {
        batch.clearRow(out, touched);
        rejects.add(this.source, `row ${r}`, bad[0], bad[1], JSON.stringify(this.data.columns.map((col) => col[r]), (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
        continue;
      }
      for (const [c, code] of fixed) { batch.codes[c]![out] = code; batch.nulls[c]![out] = 0; }
      batch.length = out + 1;
    }
    return true;
  }

  private write(batch: FlowBatch, c: number, row: number, tok: Tok, v: unknown, name: string): [RejectReason, string] | null {
    switch (tok) {
      case Tok.Str: case Tok.Action: case Tok.Status: {
        const s = String(v);
        if (ENUMS[tok] && !ENUMS[tok]!.has(s)) return ['BAD_ENUM', `${name} "${s.slice(0, 32)}"`];
        if (/[^\x21-\x7e]/.test(s)) return ['BINARY', `${name} holds control or non-ASCII characters`];
        batch.codes[c]![row] = batch.dicts[c]!.internString(s);
        return null;
      }
      case Tok.Ip: {
        const s = String(v);
        const n = this.scratch.write(s.slice(0, 64), 'latin1');
        return parseIpInto(this.scratch, 0, n, batch.ip[c]!, row * 16) ? null : ['BAD_ADDR', `${name} "${s.slice(0, 64)}"`];
      }
      default: {
        const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
        if (!Number.isInteger(n) || n < 0) return ['BAD_NUMBER', `${name} ${String(v).slice(0, 32)}`];
        if (n > LIMIT[tok]!) return [tok === Tok.Port ? 'BAD_PORT' : tok === Tok.Time ? 'BAD_TIME' : 'BAD_NUMBER', `${name} ${n}`];
        batch.num[c]![row] = tok === Tok.Time ? n * 1000 : n;
        return null;
      }
    }
  }
}
