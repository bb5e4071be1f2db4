/** The JSON report: all of ReportData, and the same bytes for the same data. */
import { describe, expect, it } from 'vitest';
import { renderJson } from '../render-json.js';
import { reportFixture } from './fixture.js';

const d = reportFixture();
const json = renderJson(d);

function keysSorted(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(keysSorted);
  if (v && typeof v === 'object') {
    const k = Object.keys(v);
    return k.every((x, i) => i === 0 || k[i - 1]! < x) && Object.values(v).every(keysSorted);
  }
  return true;
}

describe('renderJson', () => {
  it('matches the golden file', async () => {
    await expect(json).toMatchFileSnapshot('./golden/report.json');
  });

  it('holds all of ReportData, dates as ISO strings', () => {
    const back = JSON.parse(json);
    expect(back).toEqual(JSON.parse(JSON.stringify(d)));
    expect(back.findings[0].windowStart).toBe('2026-05-02T02:00:00.000Z');
    expect(back.findings).toHaveLength(12);
    expect(back.egress[0].points).toHaveLength(48);
  });

  it('is stable: keys sorted at every level, whatever order the data was built in', () => {
    expect(keysSorted(JSON.parse(json))).toBe(true);
    const reordered = Object.fromEntries(Object.entries(reportFixture()).reverse()) as typeof d;
    reordered.findings = reordered.findings.map((f) => Object.fromEntries(Object.entries(f).reverse()) as typeof f);
    expect(renderJson(reordered)).toBe(json);
    expect(json.endsWith('}\n')).toBe(true);
  });

  it('writes numbers JSON cannot hold as null', () => {
    const odd = { ...reportFixture(), changes: { newFindings: 0, resolved: 0, egressChangePct: Number.NaN, deniedChangePct: Number.POSITIVE_INFINITY } };
    expect(JSON.parse(renderJson(odd)).changes).toEqual({ deniedChangePct: null, egressChangePct: null, newFindings: 0, resolved: 0 });
  });
});
