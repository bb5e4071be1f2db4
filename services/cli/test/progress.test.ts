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
});
