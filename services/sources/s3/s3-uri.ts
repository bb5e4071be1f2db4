/** s3://bucket/prefix, read without loading the S3 client (the CLI and the run's checks need only the names). */
import { FlowlogError } from '../../core/errors.js';

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new FlowlogError('USAGE', `"${uri}" is not an s3:// URI`, 'write s3://bucket/prefix, e.g. s3://my-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/');
  return { bucket: m[1]!, prefix: m[2]! };
}

type Listed = { uri: string; endpoint?: string | undefined };

/** A listing's name in the ledger: its bucket and prefix, and the endpoint of an S3-compatible server (two servers, two buckets). */
const listingStream = (scheme: 's3-poll' | 's3-ingest', src: Listed): string => {
  const { bucket, prefix } = parseS3Uri(src.uri);
  return `${scheme}://${bucket}/${prefix}${src.endpoint ? `#${src.endpoint}` : ''}`;
};

/** A poll's stream: its rounds' intents and cursor. */
export const pollStream = (src: Listed): string => listingStream('s3-poll', src);

/** A backfill's listing (`flowlog ingest s3://`, a `mode: once` source): where its batches are written ahead. */
export const backfillStream = (src: Listed): string => listingStream('s3-ingest', src);
