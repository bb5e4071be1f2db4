/** How findings are ranked and grouped, the same way in every output. */
import { SEVERITIES, type Finding, type Severity } from '../detect/finding.js';

/** Most severe first. */
export const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();

const RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

/** Worst first; ties by score, then entity, so that the order never depends on the input order. */
export function bySeverity(a: Finding, b: Finding): number {
  return RANK[b.severity] - RANK[a.severity] || b.score - a.score || a.entity.localeCompare(b.entity);
}

/** Open findings are what people act on; resolved and suppressed ones are shown as context only. */
export const isOpen = (f: Finding): boolean => f.status === 'open';

/** Merged findings are evidence of another finding's incident: shown inside it, never on their own. */
export const isMerged = (f: Finding): boolean => f.status === 'merged';

/** The findings merged into each incident, by its lead's key (label `incident` = detector:entity). */
export function mergedByIncident(findings: readonly Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) if (isMerged(f) && f.labels.incident) m.set(f.labels.incident, [...(m.get(f.labels.incident) ?? []), f]);
  return m;
}

export const incidentKey = (f: Finding): string => `${f.detector}:${f.entity}`;

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const c = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) c[f.severity]++;
  return c;
}

export const UNOWNED = '(no owner)';

/** Owners with their findings, the owner with the worst open finding first. */
export function groupByOwner(findings: Finding[]): { owner: string; findings: Finding[] }[] {
  const m = new Map<string, Finding[]>();
  for (const f of [...findings].sort(bySeverity)) {
    const k = f.owner ?? UNOWNED;
    m.set(k, [...(m.get(k) ?? []), f]);
  }
  return [...m.entries()].map(([owner, fs]) => ({ owner, findings: fs }))
    .sort((a, b) => bySeverity(a.findings[0]!, b.findings[0]!) || b.findings.length - a.findings.length || a.owner.localeCompare(b.owner));
}

export function detectorLabel(d: Finding['detector']): string {
  return d.replace(/_/g, ' ');
}

/** For text outputs (Markdown, chat), where there is no colour. */
export const SEVERITY_EMOJI: Record<Severity, string> = { critical: '🔴', high: '🟠', medium: '🟡', low: '🔵', info: '⚪' };
