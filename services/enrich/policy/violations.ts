/**
 * The flows of one batch that a deny or alert decided, as columns: a few
 * typed arrays that grow by doubling (violations are rare, so a batch of
 * 262,144 flows does not pay for 262,144 slots).
 */

/** What the network did with a flow the policy flags: ACCEPT -> breach, REJECT -> attempt, no action -> unknown. */
export const BREACH = 0, ATTEMPT = 1, UNKNOWN_KIND = 2;
export const KIND_NAMES = ['breach', 'attempt', 'unknown'] as const;
export type ViolationKind = (typeof KIND_NAMES)[number];

export class ViolationBatch {
  length = 0;
  /** Row index in the FlowBatch. */
  rows: Uint32Array;
  srcSegment: Uint16Array;
  dstSegment: Uint16Array;
  /** DENY (1) or ALERT (2), see matrix.ts. */
  decision: Uint8Array;
  /** Index into policy.rules; -1 when the default decided. */
  rule: Int32Array;
  /** BREACH, ATTEMPT or UNKNOWN_KIND. */
  kind: Uint8Array;

  /** observe: the policy runs in observe mode, so these are recorded (observe = 1) and must not alert. */
  constructor(readonly observe: boolean, capacity = 256) {
    this.rows = new Uint32Array(capacity);
    this.srcSegment = new Uint16Array(capacity);
    this.dstSegment = new Uint16Array(capacity);
    this.decision = new Uint8Array(capacity);
    this.rule = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
  }

  push(row: number, src: number, dst: number, decision: number, rule: number, kind: number): void {
    const i = this.length;
    if (i === this.rows.length) this.grow();
    this.rows[i] = row; this.srcSegment[i] = src; this.dstSegment[i] = dst;
    this.decision[i] = decision; this.rule[i] = rule; this.kind[i] = kind;
    this.length = i + 1;
  }

  private grow(): void {
    const n = this.rows.length * 2 || 256;
    const more = <T extends Uint32Array | Uint16Array | Uint8Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.rows = more(this.rows); this.srcSegment = more(this.srcSegment); this.dstSegment = more(this.dstSegment);
    this.decision = more(this.decision); this.rule = more(this.rule); this.kind = more(this.kind);
  }
}
