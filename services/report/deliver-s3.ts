/** Delivery to S3: <prefix>/<stamp>/ keeps every report, <prefix>/latest/ the newest. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../sources/s3/s3-source.js';
import type { ReportFile } from './report-files.js';

export async function deliverToS3(files: ReportFile[], client: S3Client, uri: string, stamp: string): Promise<{ location: string; latest: string }> {
  const { bucket, prefix } = parseS3Uri(uri);
  const base = prefix.replace(/\/+$/, '');
  const key = (dir: string, name: string) => (base ? `${base}/${dir}/${name}` : `${dir}/${name}`);
  const put = (k: string, f: ReportFile, cacheControl: string) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: f.body, ContentType: f.contentType, CacheControl: cacheControl }));
  // the dated copies first: latest/ never names a report that is not stored
  await Promise.all(files.map((f) => put(key(stamp, f.name), f, 'max-age=31536000, immutable')));
  await Promise.all(files.map((f) => put(key('latest', f.name), f, 'no-cache')));
  return { location: `s3://${bucket}/${key(stamp, '')}`, latest: `s3://${bucket}/${key('latest', '')}` };
}
