/**
 * `flowlog investigate`: everything the store knows about one target in one
 * window, section by section, as one object (the CLI renders it as text or
 * prints it as JSON). Each section times itself, so a slow one is visible.
 */
import type { FlowStore } from '../store/store.js';
import { anomaliesOf, type AnomalyHit } from './anomalies.js';
import { deniedOf, type DeniedSection } from './denied.js';
import { ipamFor, type IpamSection } from './ipam.js';
import { topPeers, type Peer } from './peers.js';
import { portsOf, type PortsSection } from './ports.js';
import { summarize, type Summary } from './summary.js';
import { targetFlows } from './target-flows.js';
import { resolveTarget, type AddrRange, type TargetKind } from './target.js';
import type { TimeWindow } from './time-window.js';
import { timelineOf, type Timeline } from './timeline.js';
import { violationsOf, type ViolationsSection } from './violations.js';

export interface Investigation {
  target: { input: string; kind: TargetKind; value: string; interpretation: string; notes: string[]; ranges: AddrRange[] };
  window: { since: string; until: string };
  summary: Summary;
  ipam: IpamSection;
  peers: Peer[];
  ports: PortsSection;
  denied: DeniedSection;
  anomalies: AnomalyHit[];
  violations: ViolationsSection;
  timeline: Timeline;
  /** Milliseconds each section took. */
  timings_ms: Record<string, number>;
}

export async function investigate(store: FlowStore, input: string, w: TimeWindow, opts: { top?: number } = {}): Promise<Investigation> {
  const top = opts.top ?? 10;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try { return await f(); } finally { timings[name] = Math.round(performance.now() - t0); }
  };
  const t = await timed('target', () => resolveTarget(store, input, w));
  const tf = targetFlows(t, w);
  // one after another: the embedded engine runs one query at a time anyway
  const summary = await timed('summary', () => summarize(store, tf, w));
  const ipam = await timed('ipam', () => ipamFor(store, t));
  const peers = await timed('peers', () => topPeers(store, tf, top));
  const ports = await timed('ports', () => portsOf(store, tf, top));
  const denied = await timed('denied', () => deniedOf(store, tf, top));
  const anomalies = await timed('anomalies', () => anomaliesOf(store, t, w));
  const violations = await timed('violations', () => violationsOf(store, t, tf));
  const timeline = await timed('timeline', () => timelineOf(store, tf, w));
  return {
    target: { input: t.input, kind: t.kind, value: t.value, interpretation: t.interpretation, notes: t.notes, ranges: t.ranges },
    window: { since: w.since.toISOString(), until: w.until.toISOString() },
    summary, ipam, peers, ports, denied, anomalies, violations, timeline, timings_ms: timings,
  };
}
