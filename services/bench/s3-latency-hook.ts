import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './engine-compare.js';
import { measureCall } from './process-meter.js';

export const S3_LATENCY_BENCH = fileURLToPath(new URL('./s3-latency-bench.ts', import.meta.url));

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
  const r = await measureCall<{ flows: number; seconds: number }>(module, 'm.benchS3Latency({ objects: 20000, flowsPerObject: 100, delayMs: 20, log })',
    { cwd: REPO, env, onStderr: (chunk) => { process.stderr.write(chunk); } });
  return { flowsPerSec: r.result.flows / r.result.seconds, peakRssMb: r.peakRssMb };
}
