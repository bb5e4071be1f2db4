/**
 * A report never reads calm over missing data: a store with no flows says
 * NO DATA first in every rendering, a feed silent for some hours is named
 * with those hours (PARTIAL DATA), and the comparison names its real window.
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import type { FlowStore } from '../../store/store.js';
import { gatherReport } from '../gather.js';
import { renderHtml } from '../render-html.js';
import { renderJson } from '../render-json.js';
import { renderMarkdown } from '../render-markdown.js';
import { slackMessage } from '../slack-message.js';

const H = 3_600_000;
const at = (h: number) => new Date(Date.UTC(2026, 10, 20) + h * H);
const ch = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 23);

/** `per` flows in each listed hour (from hour 0 of the fixture day), for one provider/log_type. */
async function flows(store: FlowStore, provider: string, logType: string, hours: number[], per = 3): Promise<void> {
  const rows = hours.flatMap((h) => Array.from({ length: per }, (_, i) => JSON.stringify({
    provider, log_type: logType, start_time: ch(new Date(at(h).getTime() + i * 60_000)), end_time: ch(new Date(at(h).getTime() + i * 60_000 + 60_000)),
    source: `${provider}-${h}.log`, bytes: 100, action: 'ACCEPT',
  })));
  await store.insertJsonLines('flows', ['provider', 'log_type', 'start_time', 'end_time', 'source', 'bytes', 'action'], Buffer.from(`${rows.join('\n')}\n`), `t-${provider}-${hours.join(',')}`);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('report coverage', () => {
  it('says NO DATA first, in Markdown, JSON, HTML and the chat message, over a store with no flows', async () => {
    await withStore(async (store) => {
      const d = await gatherReport(store, at(0), at(24));
      expect(d.coverage.status).toBe('none');
      expect(d.alert).toMatch(/^NO DATA: no flows were stored for 2026-11-20 00:00 UTC → 2026-11-21 00:00 UTC; no flow was stored in the 30 days/);

      const md = renderMarkdown(d);
      expect(md.split('\n\n')[1]).toMatch(/^> ⛔ \*\*NO DATA:\*\* no flows were stored/);
      expect(md).not.toContain('nothing needs your attention');
      expect(md).not.toContain('✅');

      const json = renderJson(d);
      expect(Object.keys(JSON.parse(json))[0]).toBe('alert');
      expect(JSON.parse(json).alert).toMatch(/^NO DATA/);
      expect(JSON.parse(json).coverage.status).toBe('none');

      const page = renderHtml(d);
      expect(page.indexOf('data-testid="data-alert"')).toBeGreaterThan(page.indexOf('<h1>'));
      expect(page.indexOf('data-testid="data-alert"')).toBeLessThan(page.indexOf('data-testid="open-findings"'));
      expect(page).toMatch(/<div class="data-alert none" role="alert" data-testid="data-alert"><b>NO DATA<\/b>/);
      expect(page).not.toContain('nothing needs your attention');
      expect(page).not.toContain('class="calm"');
      expect(page).not.toMatch(/class="tile ok"/);

      const chat = slackMessage(d);
      expect(chat.text).toMatch(/^NO DATA: /);
      expect(JSON.stringify(chat.blocks)).not.toContain('nothing needs attention');
    });
  });

  it('names the newest stored flow when the window itself is empty', async () => {
    await withStore(async (store) => {
      await flows(store, 'aws', 'vpc', [2]);
      const d = await gatherReport(store, at(24), at(48));
      expect(d.coverage.status).toBe('none');
      expect(d.coverage.newestFlow).toBe('2026-11-20T02:02:00.000Z');
      expect(d.alert).toContain('the newest stored flow is from 2026-11-20 02:02 UTC');
    });
  });

  it('says PARTIAL DATA naming the source and its silent hours', async () => {
    await withStore(async (store) => {
      await flows(store, 'aws', 'vpc', range(0, 24));
      await flows(store, 'azure', 'nsg', [...range(0, 10), ...range(14, 24)]);
      const d = await gatherReport(store, at(0), at(24));
      expect(d.coverage.status).toBe('partial');
      expect(d.coverage.sources.map((s) => [s.source, s.flows, s.gaps])).toEqual([
        ['aws/vpc', 72, []],
        ['azure/nsg', 60, [{ start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T14:00:00.000Z', hours: 4 }]],
      ]);
      expect(d.coverage.sources[1]!.perHour.slice(9, 15)).toEqual([3, 0, 0, 0, 0, 3]);
      expect(d.alert).toBe('PARTIAL DATA: azure/nsg: no flows 2026-11-20 10:00 → 2026-11-20 14:00 UTC (4 h). Counts and findings cover only the hours with data.');
      const md = renderMarkdown(d);
      expect(md.split('\n\n')[1]).toBe(`> ⚠️ **PARTIAL DATA:** azure/nsg: no flows 2026-11-20 10:00 → 2026-11-20 14:00 UTC (4 h). Counts and findings cover only the hours with data.`);
      expect(md).toContain('- **azure/nsg**: 60 flows · 20/24 hours with data');
      expect(md).toContain('## Data coverage');
      expect(renderHtml(d)).toContain('<div class="data-alert partial" role="alert" data-testid="data-alert"><b>PARTIAL DATA</b> azure/nsg: no flows');
      expect(slackMessage(d).text).toMatch(/^PARTIAL DATA: /);
    });
  });

  it('counts a feed silent for the whole window, known from the window before, as a gap', async () => {
    await withStore(async (store) => {
      await flows(store, 'aws', 'vpc', range(0, 48));
      await flows(store, 'aws', 'tgw', range(0, 24));
      const d = await gatherReport(store, at(24), at(48));
      expect(d.coverage.status).toBe('partial');
      expect(d.alert).toContain('aws/tgw: no flows 2026-11-21 00:00 → 2026-11-22 00:00 UTC (24 h)');
    });
  });

  it('labels the comparison with its real window', async () => {
    await withStore(async (store) => {
      await flows(store, 'aws', 'vpc', range(0, 24));
      const week = await gatherReport(store, at(0), at(7 * 24));
      expect(week.comparison).toEqual({ since: '2026-11-13T00:00:00.000Z', until: '2026-11-20T00:00:00.000Z', label: 'Against the previous 7 days' });
      expect(renderMarkdown(week)).toContain('**Against the previous 7 days:** ');
      expect(renderMarkdown(week)).toContain('(against 2026-11-13 00:00 → 2026-11-20 00:00 UTC)');
      expect(renderMarkdown(week)).not.toContain('Since yesterday');
      expect(renderHtml(week)).toContain('<b>Against the previous 7 days:</b>');
      expect(JSON.stringify(slackMessage(week).blocks)).toContain('Against the previous 7 days: ');
      const day = await gatherReport(store, at(0), at(24));
      expect(day.comparison.label).toBe('Since yesterday');
      expect(day.alert).toBeNull();
    });
  });
});
