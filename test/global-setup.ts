/**
 * Starts the real servers the integration tests talk to (infra/servers.ts),
 * unless the environment names external ones, e.g. from
 * `docker compose --profile servers up`. A server that cannot be started
 * fails the whole run: never a skip. At the end, the topics the suites made
 * are deleted (only those: a broker named by the environment keeps its own).
 */
import { ensureServers } from '../infra/servers.js';
import { topicsMadeFrom } from './kafka.js';

export default async function setup(): Promise<() => Promise<void>> {
  const stop = ensureServers({ s3: true, kafka: true, sqs: true });
  const topics = await topicsMadeFrom(process.env.KAFKA_BROKERS!.split(','));
  return async () => {
    try {
      await topics.deleteNew();
    } catch (e) {
      console.warn(`could not delete the topics the tests made: ${(e as Error).message}`);
    } finally {
      stop();
    }
  };
}
