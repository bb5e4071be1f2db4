/**
 * The HTML page's structure: every section, one SVG per egress chart, every
 * finding, calm empty states, and that nothing from the data can become
 * markup (the fixture carries XSS payloads in an owner, an entity, a
 * summary, a label, a top-flow row and an evidence query).
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../render-html.js';
import { escapeHtml } from '../safe-html.js';
import { HOSTILE, quietReportFixture, reportFixture } from './fixture.js';

const d = reportFixture();
const page = renderHtml(d);
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('renderHtml', () => {
  it('has the summary header and every section', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`<title>${escapeHtml(d.title)}</title>`);
    for (const id of ['findings', 'by-owner', 'by-severity', 'egress', 'segments', 'talkers']) expect(page).toContain(`id="${id}"`);
    expect(page).toMatch(/data-testid="open-findings"><div class="k">Open findings<\/div><div class="v">10<\/div>/);
    expect(page).toContain('2026-05-01 06:00 → 2026-05-02 06:00 UTC (24 h)');
    expect(page).toMatch(/7 new findings, 2 resolved/);
    expect(page).toContain('<span class="up">+38.4%</span>');
    expect(page).toContain('<span class="down">−4.2%</span>');
  });

  it('draws one SVG per owner, each with a line, a baseline band and its hours above the band', () => {
    const svgs = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(d.egress.length);
    for (const svg of svgs) {
      expect(svg).toContain('class="egress-chart"');
      expect(svg).toMatch(/class="egress-line" d="M[\d.,LM]+"/);
      expect(svg).toMatch(/class="baseline-band" d="M[\d.,LMZ]+"/);
      expect(svg).toContain('class="window-start"');
    }
    // the spike of payments: its last 4 hours are above the band
    expect(count(svgs[0]!, /<circle /g)).toBe(4);
  });

  it('shows every finding with its facts, labels and evidence query', () => {
    for (const f of d.findings) expect(page).toContain(escapeHtml(f.summary));
    expect(count(page, /<article class="finding/g)).toBe(d.findings.length);
    expect(count(page, /<details>/g)).toBe(d.findings.length);
    expect(count(page, /<pre><code class="language-sql">/g)).toBe(d.findings.length);
    for (const s of ['critical', 'high', 'medium', 'low', 'info']) expect(page).toContain(`badge sev-${s}`);
    expect(page).toContain('<span class="chip warn" title="baseline: learning">learning baseline</span>');
    expect(page).toContain('<b>48.2 GB</b> vs 3.10 GB expected (15.5×)');
    expect(page).toContain('Resolved and suppressed (2)');
  });

  it('escapes everything that comes from data', () => {
    expect(count(page, /<script/gi)).toBe(0);
    expect(count(page, /<img|<iframe|<b>bold/gi)).toBe(0);
    expect(page).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(page).toContain(escapeHtml(HOSTILE));
    expect(page).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(page).toContain(`aria-label="Hourly egress of ${escapeHtml(HOSTILE)}`);
  });

  it('is self-contained: no script, no external resource, ids unique', () => {
    expect(page).not.toMatch(/<link|<img|<iframe|url\(|@import/i);
    expect(page.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    expect(page).toContain('Content-Security-Policy" content="default-src &#39;none&#39;');
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const href of page.matchAll(/href="#([^"]+)"/g)) expect(ids).toContain(href[1]);
  });

  it('colour-scales the segment matrix by breaches', () => {
    expect(count(page, /<td class="cell/g)).toBe(36);
    // the worst pair is the darkest cell, with white text on it
    expect(page).toMatch(/<td class="cell" style="background:rgb\(\d+, \d+, \d+\);color:#ffffff" title="pci → dev: 214 breaches/);
    expect(page).toMatch(/<td class="cell attempts-only" style="color:#6b7280" title="dev → prod: 0 breaches/);
    expect(page).toContain('214 breaches</span></div>');
  });

  it('reads calmly on a quiet day', () => {
    const q = renderHtml(quietReportFixture());
    expect(q).toContain('data-testid="no-findings"');
    expect(q).toContain('No open findings in this window');
    expect(q).toContain('No owner sent traffic to public addresses');
    expect(q).toContain('No segment traffic in this window');
    expect(q).toContain('No traffic in this window.');
    expect(q).not.toContain('<svg');
    expect(q).toContain('egress <span class="flat">n/a</span>');
  });

  it('is deterministic', () => {
    expect(renderHtml(reportFixture())).toBe(page);
  });
});

describe('one incident, one finding', () => {
  it('shows a merged finding inside the card of the finding that leads its incident, never as a card of its own', () => {
    const base = reportFixture();
    const lead = { ...base.findings[0]!, detector: 'new_destination' as const, entity: '10.1.2.3->80.158.47.0/24', status: 'open' as const, summary: 'the lead' };
    const merged = { ...base.findings[1]!, detector: 'egress_spike' as const, entity: 'workload=10.1.2.3', status: 'merged' as const, summary: 'the spike that came with it',
      labels: { incident: 'new_destination:10.1.2.3->80.158.47.0/24' } };
    const out = renderHtml({ ...base, findings: [lead, merged] });
    expect(out.match(/<article class="finding/g)).toHaveLength(1);
    expect(out).toContain('<dt>Same incident</dt><dd><ul class="related"><li>egress spike: the spike that came with it</li></ul></dd>');
  });
});
