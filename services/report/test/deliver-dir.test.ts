/** Folder delivery: a dated folder per report and a `latest` folder that follows the newest. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryError, deliverReport } from '../deliver.js';
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

describe('dir delivery and links', () => {
  const stamp = '2026-05-02T060500Z';
  const fresh = (name: string) => {
    const base = join(root, name), outside = join(base, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'report.html'), 'keep me');
    return { dir: join(base, 'reports'), outside };
  };
  const failure = async (dir: string): Promise<string> => {
    const e = await deliverReport(renderReport(reportFixture()), [{ dir }]).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(DeliveryError);
    return (e as Error).message;
  };

  it('refuses a latest or dated folder that is a symbolic link, writing nothing through it', async () => {
    for (const sub of ['latest', stamp]) {
      const { dir, outside } = fresh(`link-${sub}`);
      mkdirSync(dir);
      symlinkSync(outside, join(dir, sub));
      expect(await failure(dir)).toContain(`${join(dir, sub)} is a symbolic link`);
      expect(readdirSync(outside)).toEqual(['report.html']);
      expect(readFileSync(join(outside, 'report.html'), 'utf8')).toBe('keep me');
    }
  });

  it('refuses a report file that is a symbolic link, and leaves its target as it was', async () => {
    const { dir, outside } = fresh('link-file');
    mkdirSync(join(dir, 'latest'), { recursive: true });
    symlinkSync(join(outside, 'report.html'), join(dir, 'latest', 'report.html'));
    expect(await failure(dir)).toContain(`${join(dir, 'latest', 'report.html')} is a symbolic link`);
    expect(readFileSync(join(outside, 'report.html'), 'utf8')).toBe('keep me');
  });
});
