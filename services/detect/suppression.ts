/**
 * Suppression rules: known, accepted patterns (a migration window, a noisy
 * scanner we run ourselves) stay recorded as 'suppressed' but are not
 * alerted or reported as open. Every given field must match.
 */
import type { Finding } from './finding.js';

export interface Suppression {
  detector?: string;
  /** Glob on the entity: * matches anything, e.g. "src=10.9.*". */
  entity?: string;
  owner?: string;
  from?: Date;
  until?: Date;
  reason: string;
}

const glob = (g: string) => new RegExp(`^${g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** The reason of the first rule that suppresses the finding, or null. */
export function isSuppressed(f: Finding, rules: readonly Suppression[], now: Date): string | null {
  for (const r of rules) {
    if (r.detector && r.detector !== f.detector) continue;
    if (r.entity && !glob(r.entity).test(f.entity)) continue;
    if (r.owner && r.owner !== f.owner) continue;
    if (r.from && now < r.from) continue;
    if (r.until && now > r.until) continue;
    return r.reason;
  }
  return null;
}
