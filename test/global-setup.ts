/**
 * Starts the real servers the integration tests talk to, through the scripts
 * in infra/ (which install them on first use), unless the environment names
 * external ones (S3_ENDPOINT + S3_ACCESS_KEY/S3_SECRET_KEY, KAFKA_BROKERS,
 * e.g. from `docker compose --profile servers up`). A server that cannot be started
 * fails the whole run: never a skip.
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

const INFRA_DIR = process.env.FLOWLOG_INFRA_DIR ?? join(homedir(), '.cache', 'flowlog', 'infra');

function script(name: string, cmd: string): Record<string, string> {
  const path = join(REPO_ROOT, 'infra', name, `${name}.sh`);
  process.stderr.write(`global setup: ${path} ${cmd}${cmd === 'up' ? ' (the first run on a machine installs the server: minutes)' : ''}\n`);
  const r = spawnSync('bash', [path, cmd], { encoding: 'utf8', env: { ...process.env, FLOWLOG_INFRA_DIR: INFRA_DIR }, stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  if (r.status !== 0) throw new Error(`infra/${name}/${name}.sh ${cmd} failed (exit ${r.status ?? r.signal}): the ${name} server is required by the tests`);
  return Object.fromEntries(r.stdout.split('\n').map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null).map((m) => [m[1]!, m[2]!]));
}

export default function setup(): () => void {
  const stops: (() => void)[] = [];
  if (!process.env.S3_ENDPOINT) {
    const env = script('s3', 'up');
    if (!env.S3_ENDPOINT) throw new Error('infra/s3/s3.sh up did not print S3_ENDPOINT');
    Object.assign(process.env, env);
    stops.push(() => { script('s3', 'down'); });
  }
  if (!process.env.KAFKA_BROKERS) {
    const env = script('kafka', 'up');
    if (!env.KAFKA_BROKERS) throw new Error('infra/kafka/kafka.sh up did not print KAFKA_BROKERS');
    Object.assign(process.env, env);
    stops.push(() => { script('kafka', 'down'); });
  }
  return () => { for (const stop of stops) stop(); };
}
