/**
 * An S3 object's body as a stream that survives a broken connection.
 *
 * The SDK retries a GET until its response starts; a connection that breaks
 * while the body is flowing (reset, timeout, a proxy that gives up) is ours to
 * handle. We count the bytes received and ask for the rest with a Range
 * request, pinned to the same version by If-Match, so the decoder and parser
 * downstream never notice: a flaky network costs a retry, not a quarantined
 * object. Only after MAX_RESUMES breaks in a row does the body fail.
 *
 * The first GET is sent when the stream is opened, and up to PREFETCH_BYTES
 * are read ahead: objects queued behind the one being parsed are already
 * downloading, without any of them being held whole. Small objects are read
 * whole instead (readS3Object): one buffer, no stream per object, and one
 * signed HTTP request rather than the SDK's middleware stack (s3-get.ts).
 *
 * What cannot be read for a reason that may pass (the server down or failing,
 * the network, throttling, access refused) is a SOURCE_UNAVAILABLE error: the
 * object is left unfinished for a re-run, not quarantined. Only an object that
 * is gone (404) or was replaced (412) is final.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowlogError, httpStatusOf } from '../../core/errors.js';
import { BufferSlab } from '../buffer-slab.js';
import { leanGetOf } from './s3-get.js';

export const PREFETCH_BYTES = 4 << 20;
export const MAX_RESUMES = 5;

export interface S3BodyRef { bucket: string; key: string; etag: string }

export interface S3BodyOptions {
  prefetchBytes?: number;
  /** Called before each Range request that resumes a broken body. */
  onResume?: (info: { key: string; offset: number; attempt: number; error: Error }) => void;
  /** First backoff before a resume; doubles each time (default 200 ms). */
  backoffMs?: number;
  /** readS3Object: refuse (TooLargeToHold) an object larger than this, before reading it if S3 says its length. */
  wholeMax?: number;
}

/** An object larger than the caller would hold whole (a notification may understate its size): to be streamed instead. */
export class TooLargeToHold extends Error {
  constructor(readonly ref: S3BodyRef, readonly bytes: number, max: number) {
    super(`s3://${ref.bucket}/${ref.key}: ${bytes} bytes or more, over the ${max} held whole`);
    this.name = 'TooLargeToHold';
  }
}

/** 404 (gone since it was listed) and 412 (replaced) are answers about the object; anything else may pass. */
function unavailable(o: S3BodyRef, e: unknown, what: string): Error {
  const status = httpStatusOf(e);
  if (status === 404 || status === 412) return e as Error;
  return new FlowlogError('SOURCE_UNAVAILABLE', `s3://${o.bucket}/${o.key}: ${what}: ${(e as Error).message}`,
    'nothing of it was marked done: run again (or wait for the next poll) and it resumes after its last stored row', { cause: e });
}

type Part = { body: AsyncIterable<Uint8Array>; length: number };
type Getter = (offset: number) => Promise<Part>;

async function sdkGet(client: S3Client, o: S3BodyRef, offset: number): Promise<Part> {
  let r;
  try {
    r = await client.send(new GetObjectCommand({
      Bucket: o.bucket, Key: o.key,
      // If-Match: an object replaced between list and get (or between two ranges) is refused, never mixed
      ...(o.etag ? { IfMatch: o.etag } : {}),
      ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
    }));
  } catch (e) { throw unavailable(o, e, offset > 0 ? `resuming at byte ${offset} failed` : 'the GET failed'); }
  if (!r.Body) throw new Error(`s3://${o.bucket}/${o.key}: empty body`);
  return { body: r.Body as unknown as AsyncIterable<Uint8Array>, length: r.ContentLength ?? -1 };
}

/** The lean GET (s3-get.ts) where the client has one and the bucket allows it, else the SDK's; errors classified alike. */
function getterFor(client: S3Client, o: S3BodyRef): Getter {
  const lean = leanGetOf(client);
  if (!lean) return (offset) => sdkGet(client, o, offset);
  return async (offset) => {
    let part;
    try { part = await lean.get(o.bucket, o.key, o.etag, offset); } catch (e) { throw unavailable(o, e, offset > 0 ? `resuming at byte ${offset} failed` : 'the GET failed'); }
    return part ?? sdkGet(client, o, offset);
  };
}

/** The body's bytes from the first GET on, resuming with a Range GET where the connection broke. */
async function* resumable(get: Getter, o: S3BodyRef, first: Part, opts: S3BodyOptions): AsyncGenerator<Buffer> {
  let part = first, received = 0, attempt = 0;
  for (;;) {
    const expected = part.length >= 0 ? received + part.length : -1;
    try {
      for await (const chunk of part.body) {
        received += chunk.length;
        attempt = 0;
        yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
      // a connection closed quietly before Content-Length is a break too
      if (expected < 0 || received >= expected) return;
      throw new Error(`connection closed after byte ${received} of ${expected}`);
    } catch (e) {
      if (++attempt > MAX_RESUMES) throw unavailable(o, e, `the body broke ${attempt} times in a row, the last at byte ${received}`);
      opts.onResume?.({ key: o.key, offset: received, attempt, error: e as Error });
      await sleep((opts.backoffMs ?? 200) * 2 ** (attempt - 1));
      part = await get(received); // outside the try: a GET that fails past the SDK's retries ends the body
    }
  }
}

/** Opens the object (the first GET is answered before this resolves) and streams its bytes. */
export async function openS3Body(client: S3Client, o: S3BodyRef, opts: S3BodyOptions = {}): Promise<AsyncIterable<Buffer>> {
  const get = (offset: number) => sdkGet(client, o, offset);
  const first = await get(0);
  const stream = Readable.from(resumable(get, o, first, opts), { objectMode: false, highWaterMark: opts.prefetchBytes ?? PREFETCH_BYTES });
  stream.read(0); // start reading ahead now, not when the parser gets here
  return stream;
}

const slab = new BufferSlab();

/**
 * A small object whole, in one buffer sized from its Content-Length, resumed
 * like a stream when the connection breaks. Unlike a stream, nothing of it is
 * parsed before all of it arrived: an object that cannot be read to its end
 * is left unfinished with none of its rows stored (a re-run reads it whole).
 */
export async function readS3Object(client: S3Client, o: S3BodyRef, opts: S3BodyOptions = {}): Promise<Buffer> {
  const get = getterFor(client, o);
  const first = await get(0);
  const max = opts.wholeMax ?? Infinity;
  if (first.length > max) {
    (first.body as { destroy?: () => void }).destroy?.(); // not read: the connection is let go
    throw new TooLargeToHold(o, first.length, max);
  }
  let out = slab.take(Math.max(0, first.length)), n = 0;
  for await (const chunk of resumable(get, o, first, opts)) {
    if (n + chunk.length > max) throw new TooLargeToHold(o, n + chunk.length, max); // no Content-Length: leaving the loop closes the body
    if (n + chunk.length > out.length) out = Buffer.concat([out.subarray(0, n), Buffer.allocUnsafe(chunk.length)]); // no or a wrong Content-Length
    chunk.copy(out, n);
    n += chunk.length;
  }
  return out.subarray(0, n);
}
