/** The progress line formats its extra text only for the lines it draws (ingest reports after every small object). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../progress.js';

const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
afterEach(() => {
  vi.restoreAllMocks();
  if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
});

describe('progress', () => {
  it('a lazy extra is formatted once per line drawn, not once per update', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { lines.push(String(s)); return true; });
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    const bar = new Progress('ingest');
    let formatted = 0;
    for (let done = 0; done <= 1000; done++) bar.update(done, 1000, () => `${++formatted} calls`);
    expect(lines).toHaveLength(11); // 0%, 10%, ... 100%
    expect(formatted).toBe(11);
    expect(lines[10]).toMatch(/^ingest 100% 11 calls \(/);
  });

  it('without a total yet, shows what is done with no share: off a terminal a line every 5 s, then shares once the total is known', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { lines.push(String(s)); return true; });
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const bar = new Progress('ingest');
    for (now = 0; now <= 12_000; now += 500) bar.update(now, null, `${now} flows`);
    expect(lines).toEqual(['ingest 5000 flows (5.0s)\n', 'ingest 10000 flows (10.0s)\n']);
    now = 12_000;
    bar.update(12_000, 24_000, '12000 flows');
    expect(lines[2]).toBe('ingest 50% 12000 flows (12.0s)\n');
  });
});
