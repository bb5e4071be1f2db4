/**
 * The bombs of the hostile-input issue, each through `flowlog ingest` in its
 * own process: each ends normally, with the object quarantined under its
 * reason, in bounded memory: at most 250 MB above an empty ingest measured in
 * the same run, and never past 640 MB. The empty ingest costs ~315-350 MB (the
 * embedded engine); the reject bombs 470-560 MB (2026-12: before and
 * after that month's changes alike, so a flat 512 MB bound failed on noise). Reject bombs store every reject: flowlog holds at most one
 * batch of them (limits.max_rejects_per_batch, max_reject_bytes_per_batch:
 * 2,000 and 1 MiB, chosen by these bombs: at 10,000 and 4 MiB they peaked at
 * 510-640 MB; before the caps they passed 2 GB or crashed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbStore } from '../../services/store/chdb-store.js';

const root = mkdtempSync(join(tmpdir(), 'flowlog-bombs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WRAPPER = join(import.meta.dirname, 'ingest-rss.mjs');
const MB = 1024 * 1024;
/** Peak RSS allowed, for every bomb. */
const OVER_EMPTY_MB = 250;
const BOMB_MB = 640;
let emptyMb = 0;
const bounded = (rss: number) => {
  expect(rss - emptyMb, `peak RSS ${rss.toFixed(0)} MB, the empty ingest ${emptyMb.toFixed(0)} MB`).toBeLessThan(OVER_EMPTY_MB);
  expect(rss).toBeLessThan(BOMB_MB);
};

/** A gzip file of `prefix` then `bytes` zero bytes, streamed (~3 MB for 3 GB). */
async function zeroGzip(path: string, prefix: string, bytes: number): Promise<void> {
  const gz = createGzip({ level: 9 }), out = createWriteStream(path);
  gz.pipe(out);
  gz.write(prefix);
  const chunk = Buffer.alloc(16 * MB);
  for (let n = 0; n < bytes; n += chunk.length) if (!gz.write(chunk)) await once(gz, 'drain');
  gz.end();
  await once(out, 'close');
}

async function ingest(name: string, make: (dir: string) => Promise<void> | void) {
  const dir = join(root, name), data = join(root, `${name}-data`);
  mkdirSync(dir);
  await make(dir);
  const r = spawnSync(process.execPath, [WRAPPER, 'ingest', '--quiet', dir], {
    env: { ...process.env, FLOWLOG_DATA_DIR: data, FLOWLOG_CONFIG: '' }, encoding: 'utf8', maxBuffer: 64 * MB, timeout: 240_000,
  });
  const rss = Number(/max_rss_kib (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  const store = new ChdbStore(data);
  const reasons = await store.queryRows<{ reason: string; n: number }>('SELECT reason, count() AS n FROM flows_rejected GROUP BY reason ORDER BY reason');
  await store.close();
  process.stderr.write(`bomb ${name}: exit ${r.status}, peak RSS ${rss.toFixed(0)} MB, rejects ${JSON.stringify(reasons)}\n`);
  return { status: r.status, rss, reasons: reasons.map((x) => [x.reason, Number(x.n)]), stderr: r.stderr };
}

describe('decompression and reject bombs: bounded memory, quarantined, the run ends normally', () => {
  beforeAll(async () => {
    const got = await ingest('empty', () => undefined);
    expect(got.status, got.stderr).toBe(0);
    expect(got.rss).toBeGreaterThan(100); // measured, not missing
    emptyMb = got.rss;
  }, 300_000);

  it('seq 1 2000000 (2 million rejects)', async () => {
    const got = await ingest('seq', (d) => { writeFileSync(join(d, 'junk.log'), `${Array.from({ length: 2_000_000 }, (_, i) => i + 1).join('\n')}\n`); });
    expect(got.status, got.stderr).toBe(0);
    expect(got.reasons).toEqual([['FIELD_COUNT', 2_000_000]]);
    bounded(got.rss);
  }, 300_000);

  it('25,000 lines of 4,100 bytes of \\x01', async () => {
    const got = await ingest('binary', (d) => {
      const line = Buffer.concat([Buffer.alloc(4100, 1), Buffer.from('\n')]);
      writeFileSync(join(d, 'junk.log'), Buffer.concat(Array.from({ length: 25_000 }, () => line)));
    });
    expect(got.status, got.stderr).toBe(0);
    expect(got.reasons).toEqual([['BINARY', 25_000]]);
    bounded(got.rss);
  }, 300_000);

  it('3 MB gzip of zeros with no newline', async () => {
    const got = await ingest('zeros', (d) => zeroGzip(join(d, 'zeros.log.gz'), '', 3e9));
    expect(got.status, got.stderr).toBe(0);
    expect(got.reasons).toEqual([['LINE_TOO_LONG', 1]]);
    bounded(got.rss);
  }, 300_000);

  it('3 MB gzip starting with {', async () => {
    const got = await ingest('brace', (d) => zeroGzip(join(d, 'brace.json.gz'), '{', 3e9));
    expect(got.status, got.stderr).toBe(0);
    expect(got.reasons).toEqual([['TOO_LARGE', 1]]);
    bounded(got.rss);
  }, 300_000);
});
