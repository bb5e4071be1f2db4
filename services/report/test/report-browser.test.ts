/**
 * The HTML report in a real browser (Debian's Chromium through
 * playwright-core): it renders, its charts have a size, nothing fails or is
 * fetched, the XSS payloads in the fixture stay text, and a full-page
 * screenshot is kept in test-artifacts/report.png for people to look at.
 * A missing Chromium fails the run: a skipped browser test proves nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpen } from '../finding-order.js';
import { renderHtml } from '../render-html.js';
import { requireChromium } from './chromium.js';
import { quietReportFixture, reportFixture } from './fixture.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
// without these, Chromium keeps calling home at start and on a closed network logs failures
const ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
const started = Date.now();

beforeAll(async () => {
  const executablePath = requireChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  process.stdout.write(`chromium report test: ${((Date.now() - started) / 1000).toFixed(1)} s (launch, two pages, screenshot)\n`);
});

interface Watch { errors: string[]; failed: string[]; requests: string[]; dialogs: string[] }

async function open(html: string, name: string): Promise<{ page: Page; url: string; w: Watch }> {
  const file = join(ARTIFACTS, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const w: Watch = { errors: [], failed: [], requests: [], dialogs: [] };
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('requestfailed', (r) => w.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('dialog', async (d) => { w.dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, w };
}

describe('HTML report in headless Chromium', () => {
  it('fails with the install command when Chromium is missing', () => {
    expect(() => requireChromium('/nonexistent/chromium')).toThrow('run `apt-get install -y chromium`');
  });

  it('renders the full report: title, findings count, sized charts, no errors, no requests; screenshot saved', async () => {
    const d = reportFixture();
    const { page, url, w } = await open(renderHtml(d), 'report.html');
    try {
      expect(await page.title()).toBe(d.title);
      const tile = page.getByTestId('open-findings');
      await expect.poll(() => tile.isVisible()).toBe(true);
      expect(await tile.locator('.v').innerText()).toBe(String(d.findings.filter(isOpen).length));
      expect(await page.locator('article.finding').count()).toBe(d.findings.length);

      const boxes = await page.locator('svg.egress-chart').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ w: r.width, h: r.height })));
      expect(boxes).toHaveLength(d.egress.length);
      for (const b of boxes) { expect(b.w).toBeGreaterThan(200); expect(b.h).toBeGreaterThan(50); }

      // the hostile evidence query is shown as text once its <details> is opened, and nothing ran
      const hostile = page.locator('article.finding', { hasText: 'onerror=alert(2)' });
      await hostile.locator('summary').click();
      expect(await hostile.locator('pre').innerText()).toContain("'</code></pre><script>alert(3)</script>'");
      expect(await page.locator('script, img, iframe').count()).toBe(0);
      expect(await page.locator('.owner', { hasText: '<script>alert(1)</script>' }).count()).toBeGreaterThan(0);

      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(w.dialogs).toEqual([]);
      expect(w.errors).toEqual([]);
      expect(w.failed).toEqual([]);
      expect(w.requests).toEqual([url]);
    } finally { await page.close(); }

    const png = readFileSync(join(ARTIFACTS, 'report.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280); // width
    expect(png.readUInt32BE(20)).toBeGreaterThan(2000); // the whole page, not the viewport
  });

  it('renders the quiet day with its calm message', async () => {
    const { page, w } = await open(renderHtml(quietReportFixture()), 'report-quiet.html');
    try {
      await expect.poll(() => page.getByTestId('no-findings').isVisible()).toBe(true);
      expect(await page.getByTestId('open-findings').locator('.v').innerText()).toBe('0');
      expect(await page.locator('svg').count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'report-quiet.png'), fullPage: true });
      expect([...w.errors, ...w.failed, ...w.dialogs]).toEqual([]);
    } finally { await page.close(); }
  });
});
