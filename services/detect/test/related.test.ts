/**
 * One incident across detectors: what other detectors see of a workload
 * while an incident about it is open is merged into it as evidence; the
 * strongest kind leads when they start together; a breach is never hidden.
 */
import { describe, expect, it } from 'vitest';
import type { OpenEpisodeRef } from '../anomaly-store.js';
import type { DetectorName, Finding } from '../finding.js';
import { groupAcrossDetectors, workloadOf } from '../related.js';

const at = new Date(Date.UTC(2026, 10, 20, 10));
const f = (detector: DetectorName, entity: string, labels: Record<string, string> = {}): Finding => ({
  detector, entity, owner: 'search', windowStart: at, windowEnd: at, severity: 'medium', score: 1, observed: 1, expected: null, unit: 'bytes',
  summary: entity, evidence: { topFlows: [], sql: '' }, firstSeen: at, lastSeen: at, status: 'open', labels,
});
const open = (detector: string, entity: string, status = 'open', incident: string | null = null): OpenEpisodeRef => ({ detector, entity, firstSeen: new Date(at.getTime() - 3_600_000), status, incident, source: null });

describe('incidents across detectors', () => {
  it('names the workload of each kind of finding', () => {
    expect(workloadOf('egress_spike', 'workload=10.1.2.3')).toBe('10.1.2.3');
    expect(workloadOf('egress_spike', 'owner=search')).toBeNull();
    expect(workloadOf('new_destination', '10.1.2.3->80.158.47.0/24')).toBe('10.1.2.3');
    expect(workloadOf('unusual_port', '2600:1f18::5:6/6667')).toBe('2600:1f18::5');
    expect(workloadOf('scan', 'src=10.1.2.3')).toBe('10.1.2.3');
    expect(workloadOf('segmentation', 'dev->prod-data:any:attempt', '10.1.2.3')).toBe('10.1.2.3');
    expect(workloadOf('segmentation', 'dev->prod-data:any:attempt')).toBeNull();
  });

  it('a finding about a workload with an open incident is merged into it, and the incident lists it', () => {
    const spike = f('egress_spike', 'workload=10.1.2.3');
    const dest = f('new_destination', '10.1.2.3->80.158.47.0/24');
    const other = f('new_destination', '10.9.9.9->80.158.47.0/24');
    const m = new Map<DetectorName, Finding[]>([['egress_spike', [spike]], ['new_destination', [dest, other]]]);
    groupAcrossDetectors(m, [open('new_destination', '10.1.2.3->80.158.47.0/24')]);
    // the new destination was reported first: it leads, the spike is its evidence
    expect(spike.status).toBe('merged');
    expect(spike.labels.incident).toBe('new_destination:10.1.2.3->80.158.47.0/24');
    expect(dest.status).toBe('open');
    expect(dest.labels.related).toBe('egress_spike workload=10.1.2.3');
    expect(other.status).toBe('open');
    expect(other.labels.related).toBeUndefined();
  });

  it('in one run the strongest kind leads; merged episodes still open are listed; a breach is never merged', () => {
    const scan = f('scan', 'src=10.1.2.3');
    const attempt = f('segmentation', 'dev->prod-data:any:attempt', { kind: 'attempt', source: '10.1.2.3' });
    const breach = f('segmentation', 'dev->prod-data:6/5432:breach', { kind: 'breach', source: '10.1.2.3' });
    const port = f('unusual_port', '10.1.2.3:6/5432');
    const m = new Map<DetectorName, Finding[]>([['scan', [scan]], ['segmentation', [attempt, breach]], ['unusual_port', [port]]]);
    groupAcrossDetectors(m, [open('new_destination', '10.1.2.3->1.2.3.0/24', 'merged', 'scan:src=10.1.2.3')]);
    expect([scan.status, attempt.status, breach.status, port.status]).toEqual(['open', 'merged', 'open', 'merged']);
    expect(scan.labels.related).toBe('new_destination 10.1.2.3->1.2.3.0/24; segmentation dev->prod-data:any:attempt; unusual_port 10.1.2.3:6/5432');
  });
});
