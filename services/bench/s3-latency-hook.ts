import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './engine-compare.js';
import { measureProcess } from './process-meter.js';

export const S3_LATENCY_BENCH = fileURLToPath(new URL('./s3-latency-bench.ts', import.meta.url));
const METER = fileURLToPath(new URL('./process-meter.ts', import.meta.url));

/**
 * HOOK (issue 10, S3 with real latency): services/bench/s3-latency-bench.ts, when it exists, exports
 * benchS3Latency(opts) -> { flows, seconds, peakRssMb }: a small-object backfill against MinIO behind a
 * front that adds 20 ms to every request. Run in a child process of its own, so its peak RSS is the
 * ingest's and not this process's (measured from /proc like the other ingests). `env` is the child's
 * whole environment (the memory profile's variables, for one). Until that file lands the row reads
 * "not measured"; nothing else here changes when it does.
 */
export async function s3LatencyHook(log: (s: string) => void, module = S3_LATENCY_BENCH, env: NodeJS.ProcessEnv = process.env): Promise<{ flowsPerSec: number; peakRssMb: number | null } | null> {
  if (!existsSync(module)) {
    log(`  not measured: ${basename(module)} is not there yet`);
    return null;
  }
  const code = `const { benchS3Latency } = await import(${JSON.stringify(module)});
const { ownPeakRssMb } = await import(${JSON.stringify(METER)});
const r = await benchS3Latency({ objects: 20000, flowsPerObject: 100, delayMs: 20, log: (s) => process.stderr.write(s + '\\n') });
process.stdout.write(JSON.stringify({ flows: r.flows, seconds: r.seconds, peakRssMb: ownPeakRssMb() }) + '\\n');`;
  const m = await measureProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, env, onStderr: (chunk) => { process.stderr.write(chunk); } });
  const r = JSON.parse(m.stdout.trim().split('\n').pop()!) as { flows: number; seconds: number; peakRssMb: number | null };
  // a child that ends between two /proc samples has none: its own high-water mark, as it exits, stands in
  const peaks = [m.peakRssMb, r.peakRssMb].filter((p): p is number => p !== null);
  return { flowsPerSec: r.flows / r.seconds, peakRssMb: peaks.length ? Math.max(...peaks) : null };
}
