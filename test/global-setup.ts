/**
 * Starts the real servers the integration tests talk to (infra/servers.ts),
 * unless the environment names external ones, e.g. from
 * `docker compose --profile servers up`. A server that cannot be started
 * fails the whole run: never a skip. The run has an id, in every topic its
 * suites make (test/kafka.ts, testTopic) and every bucket (test/s3.ts,
 * testBucket); at the end those topics and buckets are deleted.
 */
import { ensureServers } from '../infra/servers.js';
import { makeS3Client, s3SettingsFromEnv } from '../services/sources/s3/client.js';
import { deleteTopicsOf, ofRun } from './kafka.js';
import { bucketOfRun, deleteBucketsOf } from './s3.js';

export default function setup(): () => Promise<void> {
  const run = (process.env.FLOWLOG_TEST_RUN ??= Math.random().toString(36).slice(2, 8));
  const stop = ensureServers({ s3: true, kafka: true, sqs: true });
  return async () => {
    try {
      await deleteTopicsOf(process.env.KAFKA_BROKERS!.split(','), ofRun(run));
    } catch (e) {
      console.warn(`could not delete the topics of test run ${run}: ${(e as Error).message}`);
    }
    const s3 = makeS3Client(s3SettingsFromEnv());
    try {
      await deleteBucketsOf(s3, bucketOfRun(run));
    } catch (e) {
      console.warn(`could not delete the buckets of test run ${run}: ${(e as Error).message}`);
    } finally {
      s3.destroy();
      stop();
    }
  };
}
