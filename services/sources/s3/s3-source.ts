/**
 * S3 objects as an ingest source: a prefix (and optional time range, read off
 * the keys) listed page by page while the objects of the page before are
 * fetched, many small objects at a time (each whole, in one GET) and a few
 * large ones (streamed), within a byte budget. An object's
 * ledger key is s3://bucket/key and its identity the ETag and size, so a
 * re-run, or a re-delivered notification, never stores it twice. Bodies are
 * streamed (s3-body.ts): parsed while they download, resumed when they break.
 */
import { HeadObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { httpStatusOf } from '../../core/errors.js';
import type { ObjectSource, SourceObjectRef } from '../source.js';
import { dayPrefixes, inRange, keyTime } from './key-date.js';
import { openS3Body, readS3Object, type S3BodyOptions } from './s3-body.js';

export interface S3Object extends SourceObjectRef { bucket: string; key: string; etag: string }

export interface S3SourceOptions {
  bucket: string; prefix: string; from?: Date; to?: Date;
  /** Most GETs in flight (many small objects at once hide the network's latency). */
  concurrency?: number;
  /** Most bytes fetched ahead: large objects are few at a time. */
  readAheadBytes?: number;
  body?: S3BodyOptions;
  /** What a failed listing request becomes (the caller names the source and the fix). */
  listError?: (e: unknown) => Error;
}

export { parseS3Uri } from './s3-uri.js';

/**
 * The objects under the prefix (and in the time range), a page of up to 1000
 * at a time, in key order. The next page is requested as soon as this one
 * arrives, so listing runs while the objects already listed are fetched.
 * `onUndated` hears, once the listing ends, how many keys were left out of a
 * time range because they carry no date.
 */
export async function* listS3Pages(client: S3Client, o: S3SourceOptions, onUndated?: (n: number) => void): AsyncGenerator<S3Object[]> {
  const prefixes = dayPrefixes(o.prefix, o.from, o.to) ?? [o.prefix];
  let undated = 0;
  const request = (i: number, token?: string) => client.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefixes[i], ...(token ? { ContinuationToken: token } : {}) }));
  let i = 0;
  let pending: Promise<ListObjectsV2CommandOutput> | null = request(0);
  while (pending) {
    let page: ListObjectsV2CommandOutput;
    try { page = await pending; } catch (e) { throw o.listError ? o.listError(e) : e; }
    const token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (token) pending = request(i, token);
    else if (++i < prefixes.length) pending = request(i);
    else pending = null;
    // an abandoned request must not surface as an unhandled rejection if the consumer stops here
    pending?.catch(() => undefined);
    const objects: S3Object[] = [];
    for (const c of page.Contents ?? []) {
      if (!c.Key || c.Key.endsWith('/') || (c.Size ?? 0) === 0) continue;
      if (o.from || o.to) {
        const t = keyTime(c.Key);
        if (!t) { undated++; continue; }
        if (!inRange(c.Key, t, o.from, o.to)) continue;
      }
      const etag = (c.ETag ?? '').replace(/"/g, '');
      objects.push({ bucket: o.bucket, key: c.Key, etag, size: c.Size ?? 0, name: `s3://${o.bucket}/${c.Key}`, identity: `${etag}:${c.Size ?? 0}` });
    }
    if (objects.length) yield objects;
  }
  if (undated > 0) onUndated?.(undated);
}

/** Every object under the prefix, in key order (tests, small prefixes). */
export async function listS3Objects(client: S3Client, o: S3SourceOptions): Promise<{ objects: S3Object[]; undated: number }> {
  const objects: S3Object[] = [];
  let undated = 0;
  for await (const page of listS3Pages(client, o, (n) => { undated = n; })) objects.push(...page);
  return { objects, undated };
}

/** Objects up to this size are fetched whole (one GET, one buffer); larger ones stream (s3-body.ts). */
export const WHOLE_BELOW = 256 << 10;
/**
 * GETs in flight by default. At 20 ms a request, 64 would keep ~3000 small objects a second
 * coming, yet measured 20,000 objects of 100 flows ran at 150k flows/s with 64, 175k with 128
 * and 183k with 256 (each request's own CPU comes in bursts); alternated again later, 256 ran
 * 7-9% faster than 128 in each of three pairs and 512 slower: 256, for ~40-60 MB more peak RSS
 * (docs/performance.md, Small objects and S3 latency).
 */
export const DEFAULT_CONCURRENCY = 256;
/** Bytes fetched ahead by default: a streamed object counts its read-ahead window (PREFETCH_BYTES). */
export const DEFAULT_READ_AHEAD_BYTES = 32 << 20;

export function s3Source(client: S3Client, o: S3SourceOptions, onUndated?: (n: number) => void): ObjectSource<S3Object> {
  return {
    kind: 's3',
    readAhead: o.concurrency ?? DEFAULT_CONCURRENCY,
    readAheadBytes: o.readAheadBytes ?? DEFAULT_READ_AHEAD_BYTES,
    list: () => listS3Pages(client, o, onUndated),
    fetch: (obj) => (obj.size < WHOLE_BELOW ? readS3Object(client, obj, o.body) : openS3Body(client, obj, o.body)),
    ref: (name, identity) => s3Ref(client, o.bucket, name, identity),
  };
}

/**
 * The object an intent names (s3://bucket/key, identity ETag:size), if S3 still has that version: asked with
 * a HEAD and If-Match; null when it is gone or replaced (404, 412). Any other answer is thrown (a 403 too:
 * this source lists the bucket, so a missing key answers 404, and a refusal is permissions): the replay waits.
 */
async function s3Ref(client: S3Client, bucket: string, name: string, identity: string): Promise<S3Object | null> {
  const at = identity.lastIndexOf(':'), prefix = `s3://${bucket}/`;
  if (at < 0 || !name.startsWith(prefix)) return null;
  const key = name.slice(prefix.length), etag = identity.slice(0, at);
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
  } catch (e) {
    const status = httpStatusOf(e);
    if (status === 404 || status === 412) return null;
    throw e;
  }
  return { bucket, key, etag, size: Number(identity.slice(at + 1)), name, identity };
}
