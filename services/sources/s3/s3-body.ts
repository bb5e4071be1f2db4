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
 * downloading, without any of them being held whole.
 *
 * What cannot be read for a reason that may pass (the server down or failing,
 * the network, throttling, access refused) is a SOURCE_UNAVAILABLE error: the
 * object is left unfinished for a re-run, not quarantined. Only an object that
 * is gone (404) or was replaced (412) is final.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowlogError } from '../../core/errors.js';

export const PREFETCH_BYTES = 4 << 20;
export const MAX_RESUMES = 5;

export interface S3BodyRef { bucket: string; key: string; etag: string }

export interface S3BodyOptions {
  prefetchBytes?: number;
  /** Called before each Range request that resumes a broken body. */
  onResume?: (info: { key: string; offset: number; attempt: number; error: Error }) => void;
  /** First backoff before a resume; doubles each time (default 200 ms). */
  backoffMs?: number;
}

/** 404 (gone since it was listed) and 412 (replaced) are answers about the object; anything else may pass. */
function unavailable(o: S3BodyRef, e: unknown, what: string): Error {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 404 || status === 412) return e as Error;
  return new FlowlogError('SOURCE_UNAVAILABLE', `s3://${o.bucket}/${o.key}: ${what}: ${(e as Error).message}`,
    'nothing of it was marked done: run again (or wait for the next poll) and it resumes after its last stored row', { cause: e });
}

async function get(client: S3Client, o: S3BodyRef, offset: number): Promise<{ body: AsyncIterable<Uint8Array>; length: number }> {
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

/** Opens the object (the first GET is answered before this resolves) and streams its bytes. */
export async function openS3Body(client: S3Client, o: S3BodyRef, opts: S3BodyOptions = {}): Promise<AsyncIterable<Buffer>> {
  const first = await get(client, o, 0);
  async function* resumable(): AsyncGenerator<Buffer> {
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
        part = await get(client, o, received); // outside the try: a GET that fails past the SDK's retries ends the body
      }
    }
  }
  const stream = Readable.from(resumable(), { objectMode: false, highWaterMark: opts.prefetchBytes ?? PREFETCH_BYTES });
  stream.read(0); // start reading ahead now, not when the parser gets here
  return stream;
}
