/**
 * S3 "object created" notifications as they reach Kafka: the AWS S3 event
 * (`{"Records":[{"eventSource":"aws:s3","s3":{...}}]}`, also what MinIO sends,
 * wrapped with `EventName`/`Key`), and EventBridge's `Object Created`. Keys
 * arrive URL-encoded (`+` for spaces) and are decoded here.
 */
export interface NotifiedObject { bucket: string; key: string; etag: string; size: number }

const decodeKey = (k: string): string => decodeURIComponent(k.replace(/\+/g, ' '));

/* eslint-disable @typescript-eslint/no-explicit-any -- free-form JSON in two shapes: every field is checked before use */
/** The objects a notification announces, or null when the document is not a notification. */
export function s3Notification(doc: unknown): NotifiedObject[] | null {
  if (!doc || typeof doc !== 'object') return null;
  const d = doc as Record<string, any>;
  if (d['detail-type'] === 'Object Created' && d.source === 'aws.s3' && d.detail?.bucket?.name && d.detail?.object?.key) {
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
  head.includes('"s3"') || head.includes('Object Created') || head.includes('"Records"');
