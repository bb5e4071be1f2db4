/**
 * The Markdown report: the golden file shows a reviewer what a change does
 * to the wiki page; the checks say what must hold whatever the wording.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../render-markdown.js';
import { mdText } from '../markdown-text.js';
import { quietReportFixture, reportFixture } from './fixture.js';

const d = reportFixture();
const md = renderMarkdown(d);
const cells = (line: string) => line.split(/(?<!\\)\|/).length;

describe('renderMarkdown', () => {
  it('matches the golden file', async () => {
    await expect(md).toMatchFileSnapshot('./golden/report.md');
  });

  it('has the header, every section and every finding', () => {
    expect(md.startsWith('# flowlog anomaly report — prod-eu\n')).toBe(true);
    for (const h of ['## Findings (10 open)', '### By owner', '### By severity', '### Resolved and suppressed (2)', '## Egress by owner', '## Segment violations', '## Top talkers']) {
      expect(md).toContain(`\n${h}\n`);
    }
    expect(md).toContain('**Since yesterday:** 7 new findings, 2 resolved · egress +38.4% · denied flows −4.2%');
    for (const f of d.findings) expect(md).toContain(`> ${mdText(f.summary)}`);
    expect(md.match(/^```sql$/gm)).toHaveLength(d.findings.length - 1); // the hostile query has backticks: a longer fence
    expect(md).toContain('⚠️ learning baseline');
  });

  it('keeps every table row as wide as its header', () => {
    const tables = md.trimEnd().split('\n\n').filter((b) => b.startsWith('| '));
    expect(tables.length).toBe(5);
    for (const t of tables) {
      const [head, ...rows] = t.split('\n');
      for (const r of rows) expect(cells(r), r).toBe(cells(head!));
    }
  });

  it('lets no data become HTML or Markdown', () => {
    // code spans and fences show their text verbatim in GFM; everywhere else nothing may open a tag
    const prose = md.replace(/^(`{3,})[a-z]*\n[\s\S]*?\n\1$/gm, '').replace(/(`+) ?[^`]*? ?\1/g, '');
    expect(prose).not.toMatch(/<script|<img|<iframe|<b>/i);
    expect(md).toContain('&lt;script>alert(1)&lt;/script>');
    // the query stays verbatim inside its fence, and the fence is longer than any backtick run in it
    expect(md).toContain("````sql\nSELECT * FROM flows WHERE dst = '</code></pre><script>alert(3)</script>' AND note = 'a | b `tick` ```fence' LIMIT 50\n````");
    expect(md).toContain('**Entity:** `10.66.6.6->"><img src=x onerror=alert(2)>`');
  });

  it('reads calmly on a quiet day', () => {
    const q = renderMarkdown(quietReportFixture());
    expect(q).toContain('✅ **No open findings in this window.**');
    expect(q).toContain('No owner sent traffic to public addresses in this window.');
    expect(q).toContain('No traffic in this window.');
    expect(q).not.toContain('| --- |');
  });
});

describe('one incident, one finding', () => {
  it('shows a merged finding inside the finding that leads its incident, never on its own', () => {
    const base = reportFixture();
    const lead = { ...base.findings[0]!, detector: 'new_destination' as const, entity: '10.1.2.3->80.158.47.0/24', status: 'open' as const, summary: 'the lead' };
    const merged = { ...base.findings[1]!, detector: 'egress_spike' as const, entity: 'workload=10.1.2.3', status: 'merged' as const, summary: 'the spike that came with it',
      labels: { incident: 'new_destination:10.1.2.3->80.158.47.0/24' } };
    const out = renderMarkdown({ ...base, findings: [lead, merged] });
    expect(out).toContain('## Findings (1 open)');
    expect(out).toContain('- **Same incident, seen by other detectors:**\n  - egress spike: the spike that came with it');
    expect(out).not.toContain('> the spike that came with it');
    expect(out).not.toContain('### Resolved and suppressed');
  });
});
