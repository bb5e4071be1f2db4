#!/usr/bin/env node
// Smoke test of the S3 server that infra/s3/s3.sh runs, with the repo's @aws-sdk/client-s3.
//
//   node infra/s3/smoke.mjs            create bucket, put a ~5 MB .log.gz under an AWSLogs/... key,
//                                      list by prefix, get + compare bytes, check the ETag (MD5),
//                                      delete; then leave a "survivor" object for the next step
//   node infra/s3/smoke.mjs survived   check the survivor object is still there (run after
//                                      `s3.sh restart`), then remove it and the bucket
//
// Reads S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION (defaults: the s3.sh ones).
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  S3Client, CreateBucketCommand, HeadBucketCommand, PutObjectCommand, ListObjectsV2Command,
  GetObjectCommand, HeadObjectCommand, DeleteObjectCommand, DeleteBucketCommand,
} from '@aws-sdk/client-s3';

const endpoint = process.env.S3_ENDPOINT ?? `http://127.0.0.1:${process.env.S3_PORT ?? 19000}`;
const s3 = new S3Client({
  endpoint,
  region: process.env.S3_REGION ?? 'us-east-1',
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env.S3_ACCESS_KEY ?? 'flowlog',
    secretAccessKey: process.env.S3_SECRET_KEY ?? 'flowlog-secret-key',
  },
});
const Bucket = 'flowlog-smoke';
const survivorKey = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/survivor.log.gz';
const survivorBody = gzipSync('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n');

const t0 = Date.now();
const step = (msg) => console.log(`[${String(Date.now() - t0).padStart(5)} ms] ${msg}`);
const md5 = (b) => createHash('md5').update(b).digest('hex');
function check(cond, msg) { if (!cond) { console.error(`FAIL: ${msg}`); process.exit(1); } }

async function ensureBucket() {
  try { await s3.send(new HeadBucketCommand({ Bucket })); step(`bucket ${Bucket} exists`); }
  catch { await s3.send(new CreateBucketCommand({ Bucket })); step(`created bucket ${Bucket}`); }
}

// ~5 MB of gzip: VPC flow log v2 lines with random fields (compresses only ~3x, like real logs).
function flowLogGz(targetBytes) {
  const rnd = randomBytes(4 << 20); let r = 0;
  const b = () => rnd[r++ % rnd.length];
  const lines = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  let gz = Buffer.alloc(0);
  while (gz.length < targetBytes) {
    for (let i = 0; i < 50_000; i++) {
      const start = 1795996800 + (b() << 8 | b());
      lines.push(`2 123456789012 eni-0${b().toString(16)}${b().toString(16)}f1c2 10.${b()}.${b()}.${b()} 172.16.${b()}.${b()} ${(b() << 8 | b())} 443 6 ${b() + 1} ${(b() << 8 | b()) * 3} ${start} ${start + 60} ${b() & 1 ? 'ACCEPT' : 'REJECT'} OK`);
    }
    gz = gzipSync(lines.join('\n') + '\n');
  }
  return gz;
}

async function full() {
  await ensureBucket();
  const Key = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-0abc_20261124T1200Z_x.log.gz';
  const body = flowLogGz(5 * 1024 * 1024);
  step(`generated ${body.length} bytes of gzip`);
  const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: 'application/gzip' }));
  step(`put ${Key} (ETag ${put.ETag})`);

  const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/' }));
  const found = (list.Contents ?? []).find((o) => o.Key === Key);
  check(found, `ListObjectsV2 with prefix did not return ${Key}`);
  check(found.Size === body.length, `listed size ${found.Size} != ${body.length}`);
  step(`listed by prefix: ${list.KeyCount} key(s), size ${found.Size}`);

  const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
  const back = Buffer.from(await got.Body.transformToByteArray());
  check(back.equals(body), `downloaded bytes differ (${back.length} vs ${body.length})`);
  step(`got it back: ${back.length} bytes, identical`);

  const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
  check(head.ETag === `"${md5(body)}"`, `ETag ${head.ETag} != "${md5(body)}" (MD5 of the bytes)`);
  check(head.ETag === put.ETag, `HeadObject ETag ${head.ETag} != PutObject ETag ${put.ETag}`);
  step(`ETag ${head.ETag} = MD5 of the bytes`);

  await s3.send(new DeleteObjectCommand({ Bucket, Key }));
  const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: Key }));
  check((after.KeyCount ?? 0) === 0, 'object still listed after DeleteObject');
  step('deleted it');

  await s3.send(new PutObjectCommand({ Bucket, Key: survivorKey, Body: survivorBody }));
  step(`left ${survivorKey} for the restart check`);
}

async function survived() {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: survivorKey }));
  const back = Buffer.from(await got.Body.transformToByteArray());
  check(back.equals(survivorBody), 'the survivor object changed or vanished');
  step(`${survivorKey} survived (${back.length} bytes)`);
  await s3.send(new DeleteObjectCommand({ Bucket, Key: survivorKey }));
  await s3.send(new DeleteBucketCommand({ Bucket }));
  step(`removed it and bucket ${Bucket}`);
}

try {
  if (process.argv[2] === 'survived') await survived(); else await full();
  console.log(`s3 smoke OK against ${endpoint}`);
} catch (e) {
  console.error(`FAIL: ${e.name}: ${e.message}`);
  process.exit(1);
}
