/**
 * The rules compiled into a segment x segment matrix, so a flow's decision is
 * one array read once its two segments are known. A cell whose rules do not
 * depend on port or protocol holds its outcome; otherwise it points to the
 * short ordered list of port/protocol rules that apply to it, followed by the
 * cell's fallback (the first unconditional rule for the pair, else the
 * default). First match decides, exactly as in the file.
 *
 * Segments that the same rules name on one side behave alike, so cells are
 * decided once per pair of such classes, not per pair of segments.
 */
import { ANY, UNSEGMENTED, type Decision, type RuleDef } from '../../../schemas/policy.js';

export const ALLOW = 0, DENY = 1, ALERT = 2;
export const DECISION_CODE: Readonly<Record<Decision, number>> = { allow: ALLOW, deny: DENY, alert: ALERT };
export const DECISION_NAMES: readonly Decision[] = ['allow', 'deny', 'alert'];

/** An outcome in one int: decision in the low 2 bits, rule index + 1 above them (0 = the default decided). */
export const packOutcome = (decision: number, rule: number): number => decision | ((rule + 1) << 2);
export const outcomeDecision = (o: number): number => o & 3;
export const outcomeRule = (o: number): number => (o >> 2) - 1;

const PORT_WORDS = 2048; // 65536 bits

export interface DecisionMatrix {
  /** Segments + 1: unsegmented is the last id. */
  size: number;
  /** cells[src * size + dst]: >= 0 a packed outcome, < 0 the list ~cell. */
  cells: Int32Array;
  /** List l holds rules listRules[listStart[l] .. listStart[l + 1]), then listFallback[l]. */
  listStart: Int32Array;
  listRules: Int32Array;
  listFallback: Int32Array;
  ruleOutcome: Int32Array;
  /** IANA protocol, -1 for any. */
  ruleProto: Int16Array;
  /** Word offset of the rule's destination-port bitmap in portBits, -1 for every port. */
  rulePorts: Int32Array;
  portBits: Uint32Array;
  /** Per rule: -1 reachable in some cell; -2 names no existing segment pair; else the earlier rule hiding it wherever it applies. */
  shadowedBy: Int32Array;
  /** Names rules use that are no segment. */
  unknown: { rule: number; side: 'from' | 'to'; name: string }[];
}

export function compileMatrix(segmentNames: readonly string[], rules: readonly RuleDef[], dflt: Decision): DecisionMatrix {
  const size = segmentNames.length + 1, R = rules.length;
  const ids = new Map(segmentNames.map((n, i) => [n, i]));
  ids.set(UNSEGMENTED, size - 1);
  const unknown: DecisionMatrix['unknown'] = [];
  const sides = (side: 'from' | 'to') => rules.map((r, ri) => {
    const set = new Uint8Array(size);
    for (const name of r[side]) {
      if (name === ANY) set.fill(1);
      else if (ids.has(name)) set[ids.get(name)!] = 1;
      else unknown.push({ rule: ri, side, name });
    }
    return set;
  });
  const from = sides('from'), to = sides('to');

  const ruleOutcome = Int32Array.from(rules, (r, i) => packOutcome(DECISION_CODE[r.action], i));
  const ruleProto = Int16Array.from(rules, (r) => r.protocol ?? -1);
  const withPorts = rules.filter((r) => r.ports).length;
  const portBits = new Uint32Array(withPorts * PORT_WORDS);
  let nextPorts = 0;
  const rulePorts = Int32Array.from(rules, (r) => {
    if (!r.ports) return -1;
    const base = nextPorts; nextPorts += PORT_WORDS;
    for (const [lo, hi] of r.ports) for (let p = lo; p <= hi; p++) portBits[base + (p >>> 5)]! |= 1 << (p & 31);
    return base;
  });
  const conditional = (r: number) => ruleProto[r] !== -1 || rulePorts[r] !== -1;
  // covers[e * R + r]: every flow rule r matches, rule e matches too (memoized; -1 unknown)
  const coverMemo = new Int8Array(R * R).fill(-1);
  const covers = (e: number, r: number): boolean => {
    const k = e * R + r;
    if (coverMemo[k] === -1) coverMemo[k] = coversRule(e, r, ruleProto, rulePorts, portBits) ? 1 : 0;
    return coverMemo[k] === 1;
  };

  const reachable = new Uint8Array(R);
  const hiddenBy = new Int32Array(R).fill(-2);
  const lists = new Map<string, number>();
  const listStart = [0], listRules: number[] = [], listFallback: number[] = [];
  const decideClass = (f: number, t: number): number => {
    const items: number[] = [];
    let fallback = -1;
    for (let r = 0; r < R; r++) {
      if (!from[r]![f] || !to[r]![t]) continue;
      const by = fallback >= 0 ? outcomeRule(fallback) : items.find((e) => covers(e, r)) ?? -1;
      if (by >= 0) { if (hiddenBy[r] === -2) hiddenBy[r] = by; continue; }
      reachable[r] = 1;
      if (conditional(r)) items.push(r); else fallback = ruleOutcome[r]!;
    }
    if (fallback < 0) fallback = packOutcome(DECISION_CODE[dflt], -1);
    if (items.length === 0) return fallback;
    const key = `${items.join(',')}/${fallback}`;
    let l = lists.get(key);
    if (l === undefined) {
      l = listFallback.length;
      lists.set(key, l);
      listRules.push(...items); listStart.push(listRules.length); listFallback.push(fallback);
    }
    return ~l;
  };

  const fromClass = classes(from, size), toClass = classes(to, size);
  const memo = new Map<number, number>();
  const cells = new Int32Array(size * size);
  for (let f = 0; f < size; f++) {
    for (let t = 0; t < size; t++) {
      const k = fromClass.of[f]! * toClass.count + toClass.of[t]!;
      let c = memo.get(k);
      if (c === undefined) { c = decideClass(f, t); memo.set(k, c); }
      cells[f * size + t] = c;
    }
  }
  const shadowedBy = Int32Array.from(hiddenBy, (h, r) => (reachable[r] ? -1 : h));
  return {
    size, cells, listStart: Int32Array.from(listStart), listRules: Int32Array.from(listRules), listFallback: Int32Array.from(listFallback),
    ruleOutcome, ruleProto, rulePorts, portBits, shadowedBy, unknown,
  };
}

/** Segments named by exactly the same rules on a side share a class. */
function classes(sets: Uint8Array[], size: number): { of: Int32Array; count: number } {
  const of = new Int32Array(size), seen = new Map<string, number>();
  for (let s = 0; s < size; s++) {
    const sig = sets.map((set) => set[s]).join('');
    let c = seen.get(sig);
    if (c === undefined) { c = seen.size; seen.set(sig, c); }
    of[s] = c;
  }
  return { of, count: Math.max(1, seen.size) };
}

function coversRule(e: number, r: number, proto: Int16Array, ports: Int32Array, bits: Uint32Array): boolean {
  if (proto[e] !== -1 && proto[e] !== proto[r]) return false;
  const pe = ports[e]!, pr = ports[r]!;
  if (pe === -1) return true;
  if (pr === -1) return false;
  for (let w = 0; w < PORT_WORDS; w++) if ((bits[pr + w]! & ~bits[pe + w]!) !== 0) return false;
  return true;
}

/** The outcome of list l for a flow; proto and port are -1 when the flow has none. */
export function resolveList(m: DecisionMatrix, l: number, proto: number, port: number): number {
  const end = m.listStart[l + 1]!;
  for (let i = m.listStart[l]!; i < end; i++) {
    const r = m.listRules[i]!;
    const rp = m.ruleProto[r]!;
    if (rp !== -1 && rp !== proto) continue;
    const base = m.rulePorts[r]!;
    if (base !== -1 && (port < 0 || (m.portBits[base + (port >>> 5)]! & (1 << (port & 31))) === 0)) continue;
    return m.ruleOutcome[r]!;
  }
  return m.listFallback[l]!;
}

/** One pair's outcome (explain and tests; evaluate inlines the same). */
export function decide(m: DecisionMatrix, src: number, dst: number, proto: number, port: number): number {
  const c = m.cells[src * m.size + dst]!;
  return c >= 0 ? c : resolveList(m, ~c, proto, port);
}
