/**
 * The S3 notification envelopes (Kafka and SQS): S3's own event, the same
 * wrapped by SNS, EventBridge's Object Created; test events and other event
 * types name nothing; anything else is not a notification.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayBeNotification, s3Notification } from '../s3-notification.js';

/** How S3 writes a key into its event: form URL encoding, slashes left as they are. */
const s3Encode = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');

const s3Event = (bucket: string, key: string, etag = 'abc', size = 10, eventName = 'ObjectCreated:Put') =>
  ({ Records: [{ eventSource: 'aws:s3', eventName, s3: { bucket: { name: bucket }, object: { key: s3Encode(key), size, eTag: etag } } }] });
const sns = (inner: unknown) => ({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: JSON.stringify(inner) });
const eventBridge = (bucket: string, key: string, detailType = 'Object Created') =>
  ({ version: '0', 'detail-type': detailType, source: 'aws.s3', detail: { bucket: { name: bucket }, object: { key, size: 10, etag: 'abc' } } });

// keys as S3 allows them: any UTF-8, here without the lone surrogates JSON and URL encoding cannot carry
const keys = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

describe('s3Notification', () => {
  it('reads the object of an S3 event, decoding its key, bare or wrapped by SNS', () => {
    fc.assert(fc.property(keys, fc.nat(), (key, size) => {
      const want = [{ bucket: 'logs', key, etag: 'abc', size }];
      expect(s3Notification(s3Event('logs', key, '"abc"', size))).toEqual(want);
      expect(s3Notification(sns(s3Event('logs', key, 'abc', size)))).toEqual(want);
    }));
  });

  it('reads EventBridge Object Created, whose key is not URL-encoded', () => {
    fc.assert(fc.property(keys, (key) => {
      expect(s3Notification(eventBridge('logs', key))).toEqual([{ bucket: 'logs', key, etag: 'abc', size: 10 }]);
    }));
  });

  it('names nothing for a test event, a removal or another EventBridge S3 event, bare or wrapped', () => {
    const test = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-06-01T00:00:00.000Z', Bucket: 'logs', RequestId: 'r', HostId: 'h' };
    expect(s3Notification(test)).toEqual([]);
    expect(s3Notification(sns(test))).toEqual([]);
    expect(s3Notification(s3Event('logs', 'k', 'e', 1, 'ObjectRemoved:Delete'))).toEqual([]);
    expect(s3Notification(eventBridge('logs', 'k', 'Object Deleted'))).toEqual([]);
  });

  it('is null for anything else: other JSON, SNS around junk, SNS around SNS, a key that is not URL encoding', () => {
    for (const doc of [null, 3, 'x', [], {}, { Records: [] }, { Records: [{ s3: {} }] }, { Type: 'Notification', TopicArn: 'a', Message: 'not json' },
      sns(sns(s3Event('logs', 'k'))), { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: {} } },
      { Records: [{ s3: { bucket: { name: 'b' }, object: { key: '%ZZ' } } }] }]) {
      expect(s3Notification(doc), JSON.stringify(doc)).toBeNull();
    }
  });

  it('never throws, whatever JSON arrives', () => {
    fc.assert(fc.property(fc.jsonValue(), (doc) => { s3Notification(doc); s3Notification(sns(doc)); }));
  });

  it('lets every envelope past the cheap first-bytes test', () => {
    for (const doc of [s3Event('b', 'k'), sns(s3Event('b', 'k')), eventBridge('b', 'k'), { Service: 'Amazon S3', Event: 's3:TestEvent' }]) {
      expect(mayBeNotification(JSON.stringify(doc))).toBe(true);
    }
  });
});
