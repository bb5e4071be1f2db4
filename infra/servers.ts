/**
 * Real servers for tests and benchmarks, through the scripts in infra/ (which
 * install them on first use), unless the environment names external ones
 * (S3_ENDPOINT + S3_ACCESS_KEY/S3_SECRET_KEY, KAFKA_BROKERS, SQS_ENDPOINT). A server that
 * cannot be started is an error, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INFRA = dirname(fileURLToPath(import.meta.url));
export const INFRA_DIR = process.env.FLOWLOG_INFRA_DIR ?? join(homedir(), '.cache', 'flowlog', 'infra');

type Server = 'kafka' | 's3' | 'sqs';

function script(name: Server, cmd: string, root = INFRA): Record<string, string> {
  const path = join(root, name, `${name}.sh`);
  process.stderr.write(`infra: ${path} ${cmd}${cmd === 'up' ? ' (the first run on a machine installs the server: minutes)' : ''}\n`);
  const r = spawnSync('bash', [path, cmd], { encoding: 'utf8', env: { ...process.env, FLOWLOG_INFRA_DIR: INFRA_DIR }, stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  if (r.status !== 0) throw new Error(`infra/${name}/${name}.sh ${cmd} failed (exit ${r.status ?? r.signal}): the ${name} server is required`);
  return Object.fromEntries(r.stdout.split('\n').map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null).map((m) => [m[1]!, m[2]!]));
}

/** Whether the script's server is already running (`status` exits 0), without a word on stderr. */
function running(name: Server, root: string): boolean {
  return spawnSync('bash', [join(root, name, `${name}.sh`), 'status'], { env: { ...process.env, FLOWLOG_INFRA_DIR: INFRA_DIR }, stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/**
 * Ensures the servers are up and their addresses are in process.env; returns
 * what stops the ones started here. A server that was already running belongs
 * to someone else (a developer, another run on the machine): it is left up.
 * `scripts` is where the <name>/<name>.sh scripts are (tests point it elsewhere).
 */
export function ensureServers(which: { s3?: boolean; kafka?: boolean; sqs?: boolean }, scripts = INFRA): () => void {
  const stops: (() => void)[] = [];
  const up = (name: Server, key: 'S3_ENDPOINT' | 'KAFKA_BROKERS' | 'SQS_ENDPOINT') => {
    const wasRunning = running(name, scripts);
    const env = script(name, 'up', scripts);
    if (!env[key]) throw new Error(`infra/${name}/${name}.sh up did not print ${key}`);
    Object.assign(process.env, env);
    if (!wasRunning) stops.push(() => { script(name, 'down', scripts); });
  };
  if (which.s3 && !process.env.S3_ENDPOINT) up('s3', 'S3_ENDPOINT');
  if (which.kafka && !process.env.KAFKA_BROKERS) up('kafka', 'KAFKA_BROKERS');
  if (which.sqs && !process.env.SQS_ENDPOINT) up('sqs', 'SQS_ENDPOINT');
  return () => { for (const stop of stops) stop(); };
}

/**
 * A broker of its own for a test that must restart or stop it without
 * disturbing tests that share the global one: its own state dir and free
 * ports, the jars shared with the global install.
 */
export async function privateKafka(): Promise<{ brokers: string; restart(): void; stop(): void }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createServer } = await import('node:net');
  const free = () => new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  const state = mkdtempSync(join(tmpdir(), 'flowlog-private-kafka-'));
  const env = {
    ...process.env, FLOWLOG_INFRA_DIR: state, KAFKA_LIB_DIR: join(INFRA_DIR, 'kafka', 'lib'),
    // every listener on a free port: the defaults are the shared broker's
    KAFKA_PORT: String(await free()), KAFKA_CONTROLLER_PORT: String(await free()),
    KAFKA_SASL_PORT: String(await free()), KAFKA_SASL_SSL_PORT: String(await free()),
  };
  const run = (cmd: string) => {
    const r = spawnSync('bash', [join(INFRA, 'kafka', 'kafka.sh'), cmd], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 });
    if (r.status !== 0) throw new Error(`private kafka.sh ${cmd} failed (exit ${r.status}):\n${r.stderr}`);
    return r.stdout;
  };
  const brokers = /KAFKA_BROKERS=(.+)/.exec(run('up'))?.[1];
  if (!brokers) throw new Error('private kafka.sh up did not print KAFKA_BROKERS');
  return {
    brokers,
    restart: () => { run('restart'); },
    stop: () => { try { run('down'); } finally { rmSync(state, { recursive: true, force: true }); } },
  };
}
