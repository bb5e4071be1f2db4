import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { s3LatencyHook } from '../s3-latency-hook.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-s3hook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('s3LatencyHook', () => {
  it('says "not measured" and returns null while the S3-latency bench is missing', async () => {
    const said: string[] = [];
    expect(await s3LatencyHook((s) => said.push(s), join(dir, 's3-latency-bench.ts'))).toBeNull();
    expect(said).toEqual(['  not measured: s3-latency-bench.ts is not there yet']);
  });

  it('runs the bench in a child process with the 20 ms / 20k-object options and takes its rate', async () => {
    const fake = join(dir, 'fake-bench.mts'); // .mts: ESM outside the repo's package.json
    // echoes the options it was given through the rate, so the test sees what the hook passed
    writeFileSync(fake, `export async function benchS3Latency(o: { objects: number; flowsPerObject: number; delayMs: number }) {
      return { flows: o.objects * o.flowsPerObject, seconds: o.delayMs, peakRssMb: 1 };
    }\n`);
    const r = await s3LatencyHook(() => {}, fake);
    expect(r!.flowsPerSec).toBe((20_000 * 100) / 20);
    expect(r!.peakRssMb).toBeGreaterThan(10); // the child's own, from /proc, not the module's claim
  });
});
