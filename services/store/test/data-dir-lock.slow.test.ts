/**
 * Two flowlog processes opening the same data folder in the same millisecond:
 * exactly one gets the store, every round, and the other a STORE_LOCKED
 * (never the engine's own lock error).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./open-store-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'flowlog-lock-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Outcome { won: boolean; code?: string | null; message?: string }

function opener(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { err += String(d); });
  // its lines: "ready" once loaded, then the outcome
  const line = (n: number) => new Promise<string>((resolve, reject) => {
    const check = () => { const lines = out.split('\n'); if (lines.length > n + 1) resolve(lines[n]!); };
    child.stdout.on('data', check);
    check();
    child.once('exit', (code) => { check(); reject(new Error(`opener exited (${code}) without line ${n + 1}: ${err}`)); });
  });
  const ready = line(0);
  const outcome = line(1).then((l) => JSON.parse(l) as Outcome);
  ready.catch(() => undefined); outcome.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { ready, outcome, openAt: (at: number) => child.stdin.write(`${at}\n`), release: () => child.stdin.end(), exited };
}

describe('data-dir lock race', () => {
  it('lets exactly one of two simultaneous openers in, 10 rounds out of 10', { timeout: 300_000 }, async () => {
    const rounds: string[] = [];
    for (let round = 0; round < 10; round++) {
      const dir = join(root, `r${round}`);
      // both children load, then open at the same instant, just after both are ready
      const a = opener(dir), b = opener(dir);
      await Promise.all([a.ready, b.ready]);
      const at = Date.now() + 100;
      a.openAt(at); b.openAt(at);
      const [ra, rb] = await Promise.all([a.outcome, b.outcome]);
      a.release(); b.release();
      await Promise.all([a.exited, b.exited]);
      const results = [ra, rb];
      rounds.push(results.map((r) => (r.won ? 'won' : r.code)).sort().join('+'));
      const lost = results.find((r) => !r.won);
      if (lost) expect(lost.message).toMatch(/in use by process \d+|being opened by another process/);
    }
    expect(rounds).toEqual(Array(10).fill('STORE_LOCKED+won'));
  });
});
