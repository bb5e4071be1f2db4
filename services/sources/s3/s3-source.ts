/**
 * S3 objects as an ingest source: a prefix (and optional time range, read off
 * the keys) listed page by page, objects fetched several at a time. An object's
 * ledger key is s3://bucket/key and its identity the ETag and size, so a
 * re-run, or a re-delivered notification, never stores it twice. Bodies are
 * streamed (s3-body.ts): parsed while they download, resumed when they break.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { FlowlogError } from '../../core/errors.js';
import type { ObjectSource, SourceObjectRef } from '../source.js';
import { dayPrefixes, inRange, keyTime } from './key-date.js';
import { openS3Body, type S3BodyOptions } from './s3-body.js';

export interface S3Object extends SourceObjectRef { bucket: string; key: string; etag: string }

export interface S3SourceOptions { bucket: string; prefix: string; from?: Date; to?: Date; concurrency?: number; body?: S3BodyOptions }

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new FlowlogError('USAGE', `"${uri}" is not an s3:// URI`, 'write s3://bucket/prefix, e.g. s3://my-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/');
  return { bucket: m[1]!, prefix: m[2]! };
}

export async function listS3Objects(client: S3Client, o: S3SourceOptions): Promise<{ objects: S3Object[]; undated: number }> {
  const prefixes = dayPrefixes(o.prefix, o.from, o.to) ?? [o.prefix];
  const objects: S3Object[] = [];
  let undated = 0;
  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
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
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects, undated };
}

export function s3Source(client: S3Client, o: S3SourceOptions, onUndated?: (n: number) => void): ObjectSource<S3Object> {
  return {
    kind: 's3',
    readAhead: o.concurrency ?? 8,
    list: async () => {
      const { objects, undated } = await listS3Objects(client, o);
      if (undated > 0) onUndated?.(undated);
      return objects;
    },
    fetch: (obj) => openS3Body(client, obj, o.body),
  };
}
