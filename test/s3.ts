/** S3 helpers for tests: buckets named by run, so the integration run deletes its own. */
import { DeleteBucketCommand, DeleteObjectsCommand, ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** This test run's id (set by the integration setup), as in test/kafka.ts's topics. */
const RUN = process.env.FLOWLOG_TEST_RUN ?? 'local';

/** A bucket name of this run: `label`, the run, this process and the time (lowercase, under 63 characters). */
export function testBucket(label: string): string {
  return `${label}-r${RUN}-${process.pid}-${Date.now() % 100000}`;
}

/** True for a bucket made by the test run `run` (testBucket's names). */
export const bucketOfRun = (run: string) => (bucket: string): boolean => bucket.includes(`-r${run}-`);

/**
 * Empties and deletes the buckets `only` picks, returning how many. A server
 * kept across runs (its data dir is) gathered hundreds of test buckets and
 * gigabytes; picking by run leaves a bench's kept datasets and another
 * checkout's buckets alone.
 */
export async function deleteBucketsOf(client: S3Client, only: (bucket: string) => boolean): Promise<number> {
  const ours = ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).filter(only);
  for (const Bucket of ours) {
    for (;;) { // the first page again each time: what was deleted is gone from it
      const keys = ((await client.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) break;
      const r = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }));
      // a key the server will not delete would come back on every page: stop, naming it
      if (r.Errors?.length) throw new Error(`${Bucket}: could not delete ${r.Errors[0]!.Key}: ${r.Errors[0]!.Code} ${r.Errors[0]!.Message ?? ''}`);
    }
    await client.send(new DeleteBucketCommand({ Bucket }));
  }
  return ours.length;
}
