/** Which S3 failures a replayed SQS round takes as "the object is not there as named" (goes on without it) and which it waits out. */
import { describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { S3GetError } from '../../sources/s3/s3-get.js';
import { gone } from '../shared-rounds.js';

const wrapped = (cause: unknown) => new FlowlogError('SOURCE_UNAVAILABLE', 'the GET failed', 'try again', { cause });

describe('a replay\'s missing object', () => {
  it('is 404, 412, or 403 AccessDenied (a missing key, to a role that may not list), bare or wrapped as SOURCE_UNAVAILABLE', () => {
    expect(gone(new S3GetError('NoSuchKey', 'gone', 404))).toBe(true);
    expect(gone(new S3GetError('PreconditionFailed', 'replaced', 412))).toBe(true);
    expect(gone(wrapped(new S3GetError('AccessDenied', 'denied', 403)))).toBe(true);
    expect(gone(wrapped(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })))).toBe(true);
  });

  it('is not a refused credential, a server error or a network failure: those are waited out', () => {
    expect(gone(wrapped(new S3GetError('InvalidAccessKeyId', 'no such key id', 403)))).toBe(false);
    expect(gone(wrapped(new S3GetError('ExpiredToken', 'expired', 400)))).toBe(false);
    expect(gone(wrapped(new S3GetError('InternalError', 'oops', 500)))).toBe(false);
    expect(gone(wrapped(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })))).toBe(false);
  });
});
