/**
 * What one small-object GET costs, straight against the S3 server (no latency
 * front): the SDK's GetObjectCommand, the lean GET (s3-get.ts), and requests
 * signed before the clock starts (`raw`: the server's own ceiling with as
 * little client work as HTTP allows). Rounds alternate the modes so a shared
 * machine's load falls on all of them alike; medians are reported. The
 * server's CPU per GET is read from /proc when its pid is known; `net` takes
 * out what it spends idle (sampled before the rounds), which a slow round
 * would otherwise be charged more of.
 *
 * `raw+checksum` adds what the SDK adds to every GetObject (x-amz-checksum-mode:
 * ENABLED, for its response checksum check), to see what that costs the server.
 *
 *   npx tsx services/bench/s3-get-bench.ts [--objects 2000] [--rounds 5] [--concurrency 64] [--minio-pid N]
 */
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFileSync } from 'node:fs';
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { makeS3Client, s3SettingsFromEnv } from '../sources/s3/client.js';
import { readS3Object } from '../sources/s3/s3-body.js';
import { buildGetRequest } from '../sources/s3/s3-get.js';
import { benchLines, HEADER } from './dataset.js';

type Mode = 'sdk' | 'lean' | 'raw' | 'raw+checksum';
interface Round { mode: Mode; getsPerSec: number; clientCpuMsPerGet: number; serverCpuMsPerGet: number | null; serverNetMsPerGet: number | null; bytes: number }

const TICK_MS = 10; // /proc/<pid>/stat counts CPU in clock ticks of 1/100 s (USER_HZ)

function serverCpuMs(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS; // utime, stime (fields 14 and 15)
  } catch { return null; }
}

function minioPid(arg?: string): number | null {
  if (arg) return Number(arg);
  try { return Number(readFileSync(join(process.env.FLOWLOG_INFRA_DIR ?? join(homedir(), '.cache/flowlog/infra'), 's3/minio.pid'), 'utf8').trim()) || null; } catch { return null; }
}

async function ensureObjects(client: S3Client, bucket: string, n: number): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/02/${String(1 + (i % 28)).padStart(2, '0')}/obj_${i.toString(16).padStart(8, '0')}.log.gz`);
  try { await client.send(new CreateBucketCommand({ Bucket: bucket })); } catch { /* exists */ }
  try { await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'complete' })); return keys; } catch { /* upload */ }
  const lines = benchLines(Math.min(n * 100, 200_000));
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (let i = next++; i < n; i = next++) {
      const from = (i * 100) % (lines.length - 100);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: keys[i]!, Body: gzipSync(`${HEADER}\n${lines.slice(from, from + 100).join('\n')}\n`) }));
    }
  }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'complete', Body: String(n) }));
  return keys;
}

async function pool(n: number, concurrency: number, one: (i: number) => Promise<number>): Promise<number> {
  let next = 0, bytes = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { for (let i = next++; i < n; i = next++) { const b = await one(i); bytes += b; } }));
  return bytes;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { objects: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '64' }, 'minio-pid': { type: 'string' } } });
  const n = Number(values.objects), rounds = Number(values.rounds), conc = Number(values.concurrency);
  const pid = minioPid(values['minio-pid']);
  const settings = s3SettingsFromEnv();
  if (!settings.endpoint || !settings.accessKeyId || !settings.secretAccessKey) throw new Error('needs S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY (infra/s3/s3.sh env)');
  const bucket = `flowlog-bench-get-${n}x100`;
  const sdk = makeS3Client({ ...settings, leanGet: false });
  const lean = makeS3Client(settings);
  const keys = await ensureObjects(sdk, bucket, n);
  // etags as the source has them from its listing: every GET carries If-Match
  const etags = await Promise.all(keys.map(async (k) => ((await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: k }))).ETag ?? '').replace(/"/g, '')));
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const signer = new SignatureV4({ credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }, region: settings.region ?? 'us-east-1', service: 's3', sha256: (sdk.config as unknown as { sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'] }).sha256, uriEscapePath: false });
  const target = { url: new URL(`${settings.endpoint.replace(/\/$/, '')}/${bucket}`), signingRegion: settings.region ?? 'us-east-1', signingName: 's3' };

  const run = async (mode: Mode): Promise<Round> => {
    // raw: every request signed before the clock starts, so only the HTTP exchange is timed
    const signed = mode.startsWith('raw') ? await Promise.all(keys.map((k, i) => {
      const r = buildGetRequest(target, k, etags[i]!, 0);
      if (mode === 'raw+checksum') r.headers['x-amz-checksum-mode'] = 'ENABLED';
      return signer.sign(r);
    })) : [];
    const client = mode === 'sdk' ? sdk : lean;
    const one = mode.startsWith('raw')
      ? (i: number) => new Promise<number>((resolve, reject) => {
        const r = signed[i]!;
        request({ hostname: r.hostname, port: r.port, path: r.path, headers: r.headers as OutgoingHttpHeaders, agent }, (res) => {
          let b = 0;
          res.on('data', (d: Buffer) => { b += d.length; });
          res.on('end', () => (res.statusCode === 200 ? resolve(b) : reject(new Error(`HTTP ${res.statusCode}`))));
          res.on('error', reject);
        }).on('error', reject).end();
      })
      : async (i: number) => (await readS3Object(client, { bucket, key: keys[i]!, etag: etags[i]! })).length;
    const s0 = serverCpuMs(pid), c0 = process.cpuUsage(), t0 = performance.now();
    const bytes = await pool(n, conc, one);
    const ms = performance.now() - t0, c = process.cpuUsage(c0), s1 = serverCpuMs(pid);
    const server = s0 !== null && s1 !== null ? (s1 - s0) / n : null;
    return {
      mode, getsPerSec: Math.round(n / (ms / 1000)), clientCpuMsPerGet: +((c.user + c.system) / 1000 / n).toFixed(3),
      serverCpuMsPerGet: server === null ? null : +server.toFixed(3),
      serverNetMsPerGet: server === null || idleMsPerSec === null ? null : +(server - (idleMsPerSec * ms) / 1000 / n).toFixed(3), bytes,
    };
  };

  // the server's CPU with no GETs of ours (its background, other clients): charged to every round by its length
  const b0 = serverCpuMs(pid);
  await new Promise((r) => setTimeout(r, 5000));
  const b1 = serverCpuMs(pid);
  const idleMsPerSec = b0 !== null && b1 !== null ? (b1 - b0) / 5 : null;
  if (idleMsPerSec !== null) console.log(`server idle: ${idleMsPerSec} ms CPU per second (in every round's server figure; 'net' takes it out)`);
  const modes: Mode[] = ['sdk', 'lean', 'raw', 'raw+checksum'];
  for (const m of modes) await run(m); // warm-up: sockets, JIT, the server's caches
  const all: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const m of r % 2 ? [...modes].reverse() : modes) {
      const x = await run(m);
      all.push(x);
      console.log(`round ${r + 1} ${m.padEnd(12)} ${x.getsPerSec} GETs/s, client ${x.clientCpuMsPerGet} ms CPU/GET, server ${x.serverCpuMsPerGet ?? '?'} ms CPU/GET (net ${x.serverNetMsPerGet ?? '?'}), ${(x.bytes / n / 1024).toFixed(1)} KiB/object`);
    }
  }
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
  console.log(`\nmedians of ${rounds} rounds, ${n} objects, ${conc} in flight:`);
  for (const m of modes) {
    const xs = all.filter((x) => x.mode === m);
    const srv = xs.map((x) => x.serverCpuMsPerGet).filter((v): v is number => v !== null);
    const net = xs.map((x) => x.serverNetMsPerGet).filter((v): v is number => v !== null);
    console.log(`${m.padEnd(12)} ${med(xs.map((x) => x.getsPerSec))} GETs/s, client ${med(xs.map((x) => x.clientCpuMsPerGet))} ms CPU/GET, server ${srv.length ? med(srv) : '?'} ms CPU/GET (net ${net.length ? med(net) : '?'})`);
  }
  sdk.destroy(); lean.destroy(); agent.destroy();
}

await main();
