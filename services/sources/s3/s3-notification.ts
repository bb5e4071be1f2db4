/**
 * S3 "object created" notifications, as they reach Kafka or SQS: the AWS S3
 * event (`{"Records":[{"eventSource":"aws:s3","s3":{...}}]}`, also what MinIO
 * sends, wrapped with `EventName`/`Key`), the same event wrapped by SNS
 * (`{"Type":"Notification","Message":"<the event as a string>"}`, SNS -> SQS
 * without raw delivery), and EventBridge's `Object Created`. Keys of the S3
 * event arrive URL-encoded (`+` for spaces) and are decoded here.
 *
 * A notification that names no created object is an empty list, not junk:
 * S3's `s3:TestEvent` (sent once when a notification is configured), other
 * event types (`ObjectRemoved`, EventBridge's `Object Deleted`).
 */
import { FlowlogError, httpStatusOf } from '../../core/errors.js';

export interface NotifiedObject { bucket: string; key: string; etag: string; size: number }

const decodeKey = (k: string): string => decodeURIComponent(k.replace(/\+/g, ' '));

/* eslint-disable @typescript-eslint/no-explicit-any -- free-form JSON in several shapes: every field is checked before use */
/** The objects a notification announces (none for a test event), or null when the document is not a notification. */
export function s3Notification(doc: unknown): NotifiedObject[] | null {
  try { return parse(doc, true); } catch { return null; } // a key that is not valid URL encoding (%ZZ): not S3's
}

function parse(doc: unknown, unwrap: boolean): NotifiedObject[] | null {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const d = doc as Record<string, any>;
  // SNS: the S3 event is a JSON string in Message (one level: SNS does not wrap SNS)
  if (unwrap && d.Type === 'Notification' && typeof d.Message === 'string' && typeof d.TopicArn === 'string') {
    let inner: unknown;
    try { inner = JSON.parse(d.Message); } catch { return null; }
    return parse(inner, false);
  }
  if (d.Event === 's3:TestEvent' && (d.Service === 'Amazon S3' || typeof d.Bucket === 'string')) return [];
  if (d.source === 'aws.s3' && typeof d['detail-type'] === 'string' && d.detail && typeof d.detail === 'object') {
    if (d['detail-type'] !== 'Object Created') return [];
    if (!d.detail.bucket?.name || !d.detail.object?.key) return null;
    const o = d.detail.object;
    return [{ bucket: String(d.detail.bucket.name), key: String(o.key), etag: String(o.etag ?? '').replace(/"/g, ''), size: Number(o.size ?? 0) }];
  }
  if (Array.isArray(d.Records) && d.Records.length > 0 && d.Records.every((r: any) => r?.s3?.bucket?.name && r?.s3?.object?.key)) {
    return d.Records
      .filter((r: any) => String(r.eventName ?? 'ObjectCreated').includes('ObjectCreated'))
      .map((r: any) => ({
        bucket: String(r.s3.bucket.name), key: decodeKey(String(r.s3.object.key)),
        etag: String(r.s3.object.eTag ?? r.s3.object.etag ?? '').replace(/"/g, ''), size: Number(r.s3.object.size ?? 0),
      }));
  }
  return null;
}

/** Cheap test on the first bytes before paying for JSON.parse. */
export const mayBeNotification = (head: string): boolean =>
  head.includes('"s3"') || head.includes('Object Created') || head.includes('"Records"') || head.includes('"aws.s3"')
  || head.includes('s3:TestEvent') || head.includes('"TopicArn"');

/**
 * A notified object S3 answers 404 for is not yet (or no longer) there: for a
 * notification that is a delivery to try again (the message is kept, and its
 * dead-letter queue takes it in the end), not content to quarantine.
 */
export function notThere(o: { bucket: string; key: string }, e: unknown): unknown {
  if (httpStatusOf(e) !== 404) return e;
  return new FlowlogError('SOURCE_UNAVAILABLE', `s3://${o.bucket}/${o.key}: S3 has no such object (404), though a notification names it`,
    'the message stays in the queue and is received again; after the queue\'s maxReceiveCount it goes to the dead-letter queue', { cause: e });
}
