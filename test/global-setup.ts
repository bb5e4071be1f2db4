/**
 * Starts the real servers the integration tests talk to (infra/servers.ts),
 * unless the environment names external ones, e.g. from
 * `docker compose --profile servers up`. A server that cannot be started
 * fails the whole run: never a skip.
 */
import { ensureServers } from '../infra/servers.js';

export default function setup(): () => void {
  return ensureServers({ s3: true, kafka: true, sqs: true });
}
