/**
 * S3 with a real network's latency: many small AWS objects (the real key
 * layout, ~100 flows each) read from the S3 server through a front that holds
 * every request back `delayMs` (test/latency-front.ts, in its own process so
 * its work is not on the ingest's thread), into a fresh embedded store. What
 * it measures is how well the source hides latency: GETs in flight, listing
 * pipelined with fetching. The objects are uploaded once per bucket and kept.
 *
 * The memory profile and batch size come from the environment as `flowlog
 * ingest` takes them (FLOWLOG_MEMORY_PROFILE, FLOWLOG_BATCH_ROWS). Peak RSS is
 * the process's: call it in a fresh process for the ingest's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { resolveConfig } from '../config/resolve.js';
import { MEMORY_PROFILES } from '../../schemas/config.js';
import { ingestObjects } from '../pipeline/ingest.js';
import { makeS3Client, s3SettingsFromEnv } from '../sources/s3/client.js';
import { s3Source } from '../sources/s3/s3-source.js';
import { ChdbStore } from '../store/chdb-store.js';
import { benchLines, HEADER } from './dataset.js';
import { ownPeakRssMb } from './process-meter.js';

export interface S3LatencyBenchOptions {
  /** Objects (default 20000) of `flowsPerObject` flows (default 100). */
  objects?: number;
  flowsPerObject?: number;
  /** Added to every request (default 20 ms). */
  delayMs?: number;
  /** The source's GETs in flight and byte budget (default: the source's defaults). */
  concurrency?: number;
  readAheadBytes?: number;
  /** false: small objects through the SDK's GetObjectCommand instead of the lean GET (to compare the two). */
  leanGet?: boolean;
  /** Rows per insert (default: the configuration's, as `flowlog ingest` resolves it from the environment). */
  batchRows?: number;
  log?: (line: string) => void;
}

/** cpuSeconds: this process's CPU (main thread, thread pool, the engine) during the ingest; the front's is not in it. */
export interface S3LatencyResult { flows: number; seconds: number; flowsPerSec: number; cpuSeconds: number; peakRssMb: number | null; objects: number; requests: number }

const FRONT = fileURLToPath(new URL('../../test/latency-front.ts', import.meta.url));

/** The front in a child process; resolves with its port once it listens. */
async function startFront(delayMs: number): Promise<{ port: number; child: ChildProcess; requests(): Promise<number> }> {
  const code = `const { startS3LatencyFront } = await import(${JSON.stringify(FRONT)});
const f = await startS3LatencyFront(${delayMs});
process.stdout.write(f.port + '\\n');
process.stdin.on('data', () => process.stdout.write(f.requests + '\\n'));
process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let tail = '';
  child.stdout!.on('data', (d: Buffer) => {
    tail += d.toString();
    const parts = tail.split('\n');
    tail = parts.pop()!;
    lines.push(...parts);
    wake?.();
  });
  const line = async (): Promise<string> => {
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error('the latency front exited');
      await new Promise<void>((r) => { wake = r; });
    }
    return lines.shift()!;
  };
  const port = Number(await line());
  return { port, child, requests: async () => { child.stdin!.write('?\n'); return Number(await line()); } };
}

/** The bucket of `objects` small objects of `flows` flows each, kept between runs (the SQS bench reads it too). */
export const smallObjectsBucket = (objects: number, flows: number): string => `flowlog-bench-lat-${objects}x${flows}`;

/** The dataset: uploaded once, marked complete by a last object outside the listed prefix. */
export async function ensureObjects(client: S3Client, bucket: string, objects: number, flows: number, log: (s: string) => void): Promise<void> {
  try { await client.send(new CreateBucketCommand({ Bucket: bucket })); } catch { /* exists from an earlier run */ }
  try { await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'complete' })); return; } catch { /* upload */ }
  log(`  uploading ${objects} objects of ${flows} flows to ${bucket} (once)`);
  const lines = benchLines(Math.min(objects * flows, 200_000));
  let next = 0;
  const put = async (): Promise<void> => {
    for (let i = next++; i < objects; i = next++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      const from = (i * flows) % (lines.length - flows);
      const key = `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/02/${day}/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_202602${day}T${String(i % 24).padStart(2, '0')}00Z_${i.toString(16).padStart(8, '0')}.log.gz`;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${HEADER}\n${lines.slice(from, from + flows).join('\n')}\n`) }));
    }
  };
  await Promise.all(Array.from({ length: 32 }, put));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'complete', Body: String(objects) }));
}

export async function benchS3Latency(opts: S3LatencyBenchOptions = {}): Promise<S3LatencyResult> {
  const objects = opts.objects ?? 20_000, flows = opts.flowsPerObject ?? 100, delayMs = opts.delayMs ?? 20;
  const log = opts.log ?? (() => undefined);
  const settings = s3SettingsFromEnv();
  if (!settings.endpoint) throw new Error('the S3 latency bench needs S3_ENDPOINT (the S3 server from infra/s3)');
  const bucket = smallObjectsBucket(objects, flows);
  const direct = makeS3Client(settings);
  const scratch = mkdtempSync(join(tmpdir(), 'flowlog-s3lat-'));
  const front = await startFront(delayMs);
  const client = makeS3Client({ ...settings, endpoint: `http://127.0.0.1:${front.port}`, ...(opts.leanGet === false ? { leanGet: false } : {}) });
  try {
    await ensureObjects(direct, bucket, objects, flows, log);
    const config = resolveConfig({ env: process.env });
    const store = new ChdbStore(join(scratch, 'store'), { memory: config.memory });
    await store.migrate();
    const before = await front.requests();
    // GETs in flight as `flowlog ingest s3://` takes them: the memory profile's, unless the bench sets them
    const source = s3Source(client, { bucket, prefix: 'AWSLogs/', concurrency: opts.concurrency ?? MEMORY_PROFILES[config.memory.profile].s3_gets, ...(opts.readAheadBytes ? { readAheadBytes: opts.readAheadBytes } : {}) });
    const cpu0 = process.cpuUsage();
    const s = await ingestObjects(store, source, { capacity: opts.batchRows ?? config.batch.rows });
    const cpu = process.cpuUsage(cpu0);
    await store.close();
    const requests = (await front.requests()) - before;
    if (s.rows !== objects * flows || s.unfinished.length > 0) throw new Error(`the S3 latency bench stored ${s.rows} of ${objects * flows} flows (${s.unfinished.length} objects unfinished)`);
    const peak = ownPeakRssMb();
    const out = { flows: s.rows, seconds: +s.seconds.toFixed(2), flowsPerSec: Math.round(s.rows / s.seconds), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2), peakRssMb: peak === null ? null : Math.round(peak), objects: s.objects, requests };
    log(`  S3 +${delayMs} ms/request: ${objects} objects x ${flows} flows in ${out.seconds} s = ${out.flowsPerSec.toLocaleString('en-US')} flows/s (${out.cpuSeconds} s CPU), ${requests} requests, peak RSS ${out.peakRssMb} MB`);
    return out;
  } finally {
    client.destroy();
    direct.destroy();
    front.child.stdin!.end();
    await once(front.child, 'exit').catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}
