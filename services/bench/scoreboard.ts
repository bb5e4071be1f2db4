/**
 * The bench's verdict table: each figure beside its reference from the same
 * run, their ratio, the target and pass/miss. Pure: the figures come in, rows
 * and text go out, so the target logic is tested without timing anything.
 */
import { fmtInt } from '../cli/progress.js';

/** Issue 10's targets, in one place. */
export const TARGETS = {
  parseRatio: 0.6,
  parseLinesPerSec: 1_500_000,
  /** flowlog ingest of the large objects against the engine's own load of them */
  largeVsEngine: 0.9,
  /** small-object mix against flowlog's own large-object rate */
  smallVsLarge: 0.6,
  peakRssMb: 512,
  /** Kafka -> store against the local large-object rate */
  kafkaVsLocal: 0.8,
  /** S3 behind 20 ms of request latency, small objects */
  s3LatencyFlowsPerSec: 150_000,
  /** SQS notifications of small objects against the same objects listed from their bucket (the small-object bar) */
  sqsVsListed: 0.6,
  /** sustained ingest: the last 5M flows against the first 5M */
  sustainedLastVsFirst: 0.8,
} as const;

export type Verdict = 'pass' | 'miss' | 'n/a';

export interface Row { figure: string; value: string; reference: string; ratio: string; target: string; verdict: Verdict }

export interface RateAndPeak { flowsPerSec: number; peakRssMb: number | null }
export interface IngestFigure { flows: number; seconds: number; peakRssMb: number | null }
export interface Pair { flowlog: IngestFigure; engine: IngestFigure; objects: number }

export interface Measurements {
  parse?: { ours: number; engine: number };
  large?: Pair;
  smallAws?: Pair;
  smallAzure?: Pair;
  /** The small mix's own flows in a few large objects: what the small objects cost apart from their rows. */
  bundledAws?: Pair;
  bundledAzure?: Pair;
  /** Kafka -> store flows/s and the consumer's peak RSS, and the local large-object rate measured the same way (the store already open). */
  kafka?: { flowsPerSec: number; localLarge: number; peakRssMb?: number | null };
  /** SQS notifications of small objects into the store, and the same objects listed from their bucket (informational). */
  sqs?: { objects: number; flowsPerSec: number; listedFlowsPerSec: number };
  /** null: the S3-latency bench is not there yet (or was skipped). */
  s3Latency?: RateAndPeak | null;
  /** The same datasets ingested with the memory budget's setting (profile minimal): peak RSS, and rate against the default's. */
  minimal?: { large?: IngestFigure; smallAws?: IngestFigure; smallAzure?: IngestFigure; s3Latency?: RateAndPeak | null; kafka?: RateAndPeak };
  /** Rates over the first and the last `window` flows of one long ingest. */
  sustained?: { firstRate: number; lastRate: number; peakRssMb: number | null; window: number };
}

export const rate = (f: IngestFigure): number => f.flows / f.seconds;

/** a / b, or null when either side is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !(b > 0)) return null;
  return a / b;
}

export const atLeast = (v: number | null, min: number): Verdict => (v === null ? 'n/a' : v >= min ? 'pass' : 'miss');
export const atMost = (v: number | null, max: number): Verdict => (v === null ? 'n/a' : v <= max ? 'pass' : 'miss');
const both = (a: Verdict, b: Verdict): Verdict => (a === 'n/a' || b === 'n/a' ? 'n/a' : a === 'pass' && b === 'pass' ? 'pass' : 'miss');

const x = (r: number | null): string => (r === null ? '-' : `${r.toFixed(2)}x`);
const perSec = (v: number | null): string => (v === null ? '-' : `${fmtInt(v)}/s`);
const millions = (n: number): string => `${+(n / 1e6).toFixed(2)}M flows`;
const mb = (v: number | null): string => (v === null ? '-' : `${Math.round(v)} MB`);

export function scoreboard(m: Measurements): Row[] {
  const rows: Row[] = [];
  if (m.parse) {
    const parseRatio = ratio(m.parse.ours, m.parse.engine);
    rows.push({
      figure: 'parse, one core (lines)', value: perSec(m.parse.ours), reference: perSec(m.parse.engine), ratio: x(parseRatio),
      target: `>= ${TARGETS.parseRatio}x, >= ${fmtInt(TARGETS.parseLinesPerSec)}/s`,
      verdict: both(atLeast(parseRatio, TARGETS.parseRatio), atLeast(m.parse.ours, TARGETS.parseLinesPerSec)),
    });
  }
  const large = m.large ? rate(m.large.flowlog) : null;
  if (m.large) {
    const largeRatio = ratio(large, rate(m.large.engine));
    rows.push({
      figure: `ingest large (${m.large.objects} objects)`, value: perSec(large), reference: perSec(rate(m.large.engine)), ratio: x(largeRatio),
      target: `>= ${TARGETS.largeVsEngine}x engine`, verdict: atLeast(largeRatio, TARGETS.largeVsEngine),
    });
  }
  const small = (name: string, p: Pair | undefined) => {
    if (!p) return;
    const vsLarge = ratio(rate(p.flowlog), large);
    rows.push({
      figure: `ingest ${name} (${fmtInt(p.objects)} objects)`, value: perSec(rate(p.flowlog)), reference: perSec(rate(p.engine)),
      ratio: x(ratio(rate(p.flowlog), rate(p.engine))),
      target: `>= ${TARGETS.smallVsLarge}x large (${x(vsLarge)})`, verdict: atLeast(vsLarge, TARGETS.smallVsLarge),
    });
  };
  small('small AWS v2+v5', m.smallAws);
  small('small Azure PT1H', m.smallAzure);
  // no target of its own: it splits the small mix's gap into what the objects cost and what the rows cost
  const bundled = (name: string, b: Pair | undefined, p: Pair | undefined) => {
    if (!b) return;
    const objectsCost = (side: 'flowlog' | 'engine') => x(p ? ratio(rate(p[side]), rate(b[side])) : null);
    rows.push({
      figure: `  ${name}, same flows in ${b.objects} objects`, value: perSec(rate(b.flowlog)), reference: perSec(rate(b.engine)),
      ratio: x(ratio(rate(b.flowlog), rate(b.engine))),
      target: `small objects at ${objectsCost('flowlog')} of it (engine ${objectsCost('engine')})`, verdict: 'n/a',
    });
  };
  bundled('AWS', m.bundledAws, m.smallAws);
  bundled('Azure', m.bundledAzure, m.smallAzure);
  const rss = (name: string, p: Pair | undefined) => {
    if (!p) return;
    rows.push({
      figure: `peak RSS ${name}`, value: mb(p.flowlog.peakRssMb), reference: mb(p.engine.peakRssMb), ratio: x(ratio(p.flowlog.peakRssMb, p.engine.peakRssMb)),
      target: `<= ${TARGETS.peakRssMb} MB`, verdict: atMost(p.flowlog.peakRssMb, TARGETS.peakRssMb),
    });
  };
  rss('large', m.large);
  rss('small AWS', m.smallAws);
  rss('small Azure', m.smallAzure);
  const minimal = (name: string, f: IngestFigure | undefined, p: Pair | undefined) => {
    if (!f) return;
    rows.push({
      figure: `peak RSS ${name}, memory: minimal`, value: mb(f.peakRssMb), reference: `${perSec(rate(f))} (${x(p ? ratio(rate(f), rate(p.flowlog)) : null)} default)`, ratio: '-',
      target: `<= ${TARGETS.peakRssMb} MB`, verdict: atMost(f.peakRssMb, TARGETS.peakRssMb),
    });
  };
  minimal('large', m.minimal?.large, m.large);
  minimal('small AWS', m.minimal?.smallAws, m.smallAws);
  minimal('small Azure', m.minimal?.smallAzure, m.smallAzure);
  // a source's own peak, then the same run under memory: minimal with its rate against the default's
  const sourcePeaks = (name: string, rate: number | undefined, peak: number | null | undefined, low: RateAndPeak | null | undefined) => {
    if (peak !== undefined) {
      rows.push({ figure: `peak RSS ${name}`, value: mb(peak), reference: '-', ratio: '-', target: `<= ${TARGETS.peakRssMb} MB`, verdict: atMost(peak, TARGETS.peakRssMb) });
    }
    if (low) {
      rows.push({
        figure: `peak RSS ${name}, memory: minimal`, value: mb(low.peakRssMb),
        reference: `${perSec(low.flowsPerSec)} (${x(rate === undefined ? null : ratio(low.flowsPerSec, rate))} default)`, ratio: '-',
        target: `<= ${TARGETS.peakRssMb} MB`, verdict: atMost(low.peakRssMb, TARGETS.peakRssMb),
      });
    }
  };
  if (m.kafka) {
    const r = ratio(m.kafka.flowsPerSec, m.kafka.localLarge);
    rows.push({
      figure: 'Kafka -> store', value: perSec(m.kafka.flowsPerSec), reference: `${perSec(m.kafka.localLarge)} local`, ratio: x(r),
      target: `>= ${TARGETS.kafkaVsLocal}x local large`, verdict: atLeast(r, TARGETS.kafkaVsLocal),
    });
    sourcePeaks('Kafka', m.kafka.flowsPerSec, m.kafka.peakRssMb, m.minimal?.kafka);
  }
  if (m.s3Latency !== undefined) {
    const v = m.s3Latency?.flowsPerSec ?? null;
    rows.push({
      figure: 'S3 +20 ms, small objects', value: m.s3Latency ? perSec(v) : 'not measured', reference: '-', ratio: '-',
      target: `>= ${fmtInt(TARGETS.s3LatencyFlowsPerSec)}/s`, verdict: atLeast(v, TARGETS.s3LatencyFlowsPerSec),
    });
    sourcePeaks('S3 +20 ms', m.s3Latency?.flowsPerSec, m.s3Latency?.peakRssMb, m.minimal?.s3Latency);
  }
  if (m.sqs) {
    rows.push({
      figure: `SQS -> store, ${fmtInt(m.sqs.objects)} small objects`, value: perSec(m.sqs.flowsPerSec), reference: `${perSec(m.sqs.listedFlowsPerSec)} listed`,
      ratio: x(ratio(m.sqs.flowsPerSec, m.sqs.listedFlowsPerSec)), target: `>= ${TARGETS.sqsVsListed}x listed`,
      verdict: atLeast(ratio(m.sqs.flowsPerSec, m.sqs.listedFlowsPerSec), TARGETS.sqsVsListed),
    });
  }
  if (m.sustained) {
    const r = ratio(m.sustained.lastRate, m.sustained.firstRate);
    rows.push({
      figure: `sustained: last ${millions(m.sustained.window)} / first`, value: perSec(m.sustained.lastRate), reference: `${perSec(m.sustained.firstRate)} first`, ratio: x(r),
      target: `>= ${TARGETS.sustainedLastVsFirst}x first`, verdict: atLeast(r, TARGETS.sustainedLastVsFirst),
    });
    rows.push({
      figure: 'peak RSS sustained', value: mb(m.sustained.peakRssMb), reference: '-', ratio: '-',
      target: `<= ${TARGETS.peakRssMb} MB`, verdict: atMost(m.sustained.peakRssMb, TARGETS.peakRssMb),
    });
  }
  return rows;
}

const HEAD: Row = { figure: 'figure', value: 'measured', reference: 'engine ref', ratio: 'ratio', target: 'target', verdict: 'n/a' };

/** Fixed-width text, one line per row, a header first; MISS in capitals so it stands out in a log. */
export function formatTable(rows: readonly Row[]): string {
  const cols = ['figure', 'value', 'reference', 'ratio', 'target'] as const;
  const all = [HEAD, ...rows];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...all.map((r) => r[c].length))])) as Record<(typeof cols)[number], number>;
  return all.map((r, i) => {
    const verdict = i === 0 ? 'verdict' : r.verdict === 'miss' ? 'MISS' : r.verdict;
    return [r.figure.padEnd(width.figure), r.value.padStart(width.value), r.reference.padStart(width.reference), r.ratio.padStart(width.ratio),
      r.target.padEnd(width.target), verdict].join('  ').trimEnd();
  }).join('\n');
}
