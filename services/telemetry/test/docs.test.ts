/**
 * docs/operations-telemetry.md against the code: every metric with its type
 * and labels, and every error code with its exit status, so the doc cannot
 * drift from what flowlog exports.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, exitCodeFor, type ErrorCode } from '../../core/errors.js';
import { METRICS } from '../catalogue.js';
import { LOG_LEVELS } from '../log.js';
import { COMPONENTS, EVENTS, failedEvent } from '../event-names.js';

const doc = readFileSync(new URL('../../../docs/operations-telemetry.md', import.meta.url), 'utf8');
/** The table rows whose first cell is a `code` span: name -> the other cells. */
const rows = new Map([...doc.matchAll(/^\| `([A-Za-z_]+)` \|(.*)\|$/gm)].map((m) => [m[1]!, m[2]!.split('|').map((c) => c.trim())]));

describe('operations telemetry doc', () => {
  it('lists every metric with its type and labels, and no metric flowlog does not export', () => {
    for (const s of METRICS) {
      expect(rows.get(s.name), `${s.name} is missing from the doc`).toBeDefined();
      const [type, labels] = rows.get(s.name)!;
      expect({ name: s.name, type, labels }).toEqual({ name: s.name, type: s.type, labels: s.labels.join(', ') });
    }
    const documented = [...rows.keys()].filter((k) => k.startsWith('flowlog_'));
    expect(documented.sort()).toEqual(METRICS.map((s) => s.name).sort());
  });

  it('lists every error code with its exit status', () => {
    const codes = Object.keys(ERROR_CODES) as ErrorCode[];
    for (const code of codes) {
      expect(rows.get(code), `${code} is missing from the doc`).toBeDefined();
      expect(rows.get(code)!.at(-1), code).toBe(String(exitCodeFor(code)));
    }
    expect([...rows.keys()].filter((k) => !k.startsWith('flowlog_')).sort()).toEqual([...codes].sort());
  });

  it('names every log event', () => {
    for (const e of [...Object.values(EVENTS), ...COMPONENTS.map(failedEvent)]) expect(doc, `${e} is missing from the doc`).toContain(`\`${e}\``);
  });

  it('names the levels and the variable that sets them', () => {
    expect(doc).toContain('FLOWLOG_LOG_LEVEL');
    for (const l of LOG_LEVELS) expect(doc).toContain(`\`${l}\``);
  });
});
