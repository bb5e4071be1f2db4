/** Folder delivery: a dated folder per report and a `latest` folder that follows the newest. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deliverReport } from '../deliver.js';
import { renderReport } from '../report-files.js';
import { reportFixture } from './fixture.js';

const root = mkdtempSync(join(tmpdir(), 'flowlog-report-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dir delivery', () => {
  it('writes report.html, report.md and report.json to a dated folder and updates latest', async () => {
    const first = renderReport(reportFixture());
    const [r1] = await deliverReport(first, [{ dir: root }]);
    expect(r1).toEqual({ target: `dir ${root}`, location: join(root, '2026-05-02T060500Z') });
    for (const f of first.files) {
      expect(readFileSync(join(root, '2026-05-02T060500Z', f.name), 'utf8')).toBe(f.body);
      expect(readFileSync(join(root, 'latest', f.name), 'utf8')).toBe(f.body);
    }

    // the next morning
    const next = renderReport({ ...reportFixture(), generatedAt: '2026-05-03T06:05:00.000Z', title: 'the next day' });
    await deliverReport(next, [{ dir: root }]);
    expect(readdirSync(root).sort()).toEqual(['2026-05-02T060500Z', '2026-05-03T060500Z', 'latest']);
    expect(readdirSync(join(root, 'latest')).sort()).toEqual(['report.html', 'report.json', 'report.md']); // no temporary files left
    expect(readFileSync(join(root, 'latest', 'report.md'), 'utf8')).toMatch(/^# the next day\n/);
    expect(readFileSync(join(root, '2026-05-02T060500Z', 'report.md'), 'utf8')).toBe(first.files[1]!.body);
  });
});
