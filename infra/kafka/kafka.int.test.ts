/**
 * infra/kafka/kafka.sh starts a real Kafka broker that kafkajs can use, and a restart keeps the data.
 *
 * Self-contained: the test runs its own broker through the script, in a temporary state dir on free
 * ports, so it never disturbs a broker that a global setup (or another test file) shares, and stops
 * it at the end. The jars are shared with the default state dir (KAFKA_LIB_DIR), so after the first
 * install this costs a few seconds of broker start-up, not a Maven run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'kafka.sh');
// the same default state root as test/global-setup.ts, whose jars this broker reuses
const INFRA_DIR = process.env.FLOWLOG_INFRA_DIR ?? join(homedir(), '.cache', 'flowlog', 'infra');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

describe('infra/kafka/kafka.sh', () => {
  let stateDir = '';
  let env: NodeJS.ProcessEnv = {};
  let brokers = '';

  function script(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env, timeout: 10 * 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function mustRun(...args: string[]): string {
    const r = script(...args);
    if (r.status !== 0) throw new Error(`kafka.sh ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
    return r.stdout;
  }

  const kafka = () => new Kafka({ clientId: 'kafka-sh-test', brokers: [brokers], logLevel: logLevel.NOTHING });

  async function consumeAll(topic: string, expected: number): Promise<{ total: number; distinct: number; partitions: number }> {
    const consumer = kafka().consumer({
      groupId: `kafka-sh-test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      // short fetch long-polls: disconnect() waits for the one in flight
      maxWaitTimeInMs: 500,
    });
    const seen = new Set<string>();
    const partitions = new Set<number>();
    let total = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => resolve(), 60_000);
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              total++;
              seen.add(message.value?.toString() ?? '');
              partitions.add(partition);
              if (seen.size >= expected) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return { total, distinct: seen.size, partitions: partitions.size };
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'flowlog-kafka-test-'));
    const [port, controllerPort, saslPort, saslSslPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    env = {
      ...process.env,
      FLOWLOG_INFRA_DIR: stateDir,
      KAFKA_LIB_DIR: join(INFRA_DIR, 'kafka', 'lib'),
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      // the SASL listeners too: their defaults are the shared broker's
      KAFKA_SASL_PORT: String(saslPort),
      KAFKA_SASL_SSL_PORT: String(saslSslPort),
    };
    const out = mustRun('up');
    const lines = out.trim().split('\n');
    const m = /^KAFKA_BROKERS=(.+)$/.exec(lines[lines.length - 1] ?? '');
    expect(m, `last line of 'up' should be KAFKA_BROKERS=...; got:\n${out}`).not.toBeNull();
    brokers = m![1]!;
    expect(brokers).toBe(`127.0.0.1:${port}`);
    // and the SASL listeners' environment before it
    expect(lines).toEqual(expect.arrayContaining([
      `KAFKA_SASL_BROKERS=127.0.0.1:${saslPort}`,
      `KAFKA_SASL_SSL_BROKERS=127.0.0.1:${saslSslPort}`,
      `KAFKA_CA_FILE=${join(stateDir, 'kafka', 'tls', 'ca.pem')}`,
      'KAFKA_SASL_USER=flowlog',
      'KAFKA_SASL_PASSWORD=flowlog-secret',
    ]));
  }, 15 * 60_000);

  afterAll(() => {
    if (!stateDir) return;
    script('down', '--purge');
    rmSync(stateDir, { recursive: true, force: true });
  });

  const topic = 'kafka-sh-roundtrip';
  const count = 1000;

  it('serves a produce/consume round trip with a consumer group', async () => {
    expect(script('status').status).toBe(0);
    // `up` on a running broker only reports it
    expect(mustRun('up').trim().split('\n').pop()).toBe(`KAFKA_BROKERS=${brokers}`);

    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]?.partitions.length).toBe(3);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka().producer();
    await producer.connect();
    try {
      const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `m${i}` }));
      for (let i = 0; i < count; i += 250) await producer.send({ topic, messages: messages.slice(i, i + 250) });
    } finally {
      await producer.disconnect();
    }

    expect(await consumeAll(topic, count)).toEqual({ total: count, distinct: count, partitions: 3 });
  });

  it('keeps the messages across a restart', async () => {
    mustRun('restart');
    expect(script('status').status).toBe(0);
    expect(await consumeAll(topic, count)).toEqual({ total: count, distinct: count, partitions: 3 });
  });

  it('reports stopped after down (exit 3)', () => {
    mustRun('down');
    const r = script('status');
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('stopped');
  });
});
