/**
 * flowlog's Kafka client settings for TLS and SASL against a real broker: the
 * one infra/kafka/kafka.sh starts (through the vitest global setup) serves
 * SASL_PLAINTEXT and SASL_SSL listeners with PLAIN, SCRAM-SHA-256 and
 * SCRAM-SHA-512 for one user, and prints where they are (KAFKA_SASL_BROKERS,
 * KAFKA_SASL_SSL_BROKERS, KAFKA_CA_FILE, KAFKA_SASL_USER, KAFKA_SASL_PASSWORD).
 *
 * Each case goes the way a user's config goes: a source written as
 * configuration text, validated by parseConfig, turned into kafkajs settings
 * by kafkaConfig (services/run/sources.ts), then a topic is created, one
 * message produced and consumed back through those settings. SASL_SSL + PLAIN
 * with a CA file is how Azure Event Hubs' Kafka endpoint is reached.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaSourceConfig } from '../../../../schemas/config.js';
import { parseConfig } from '../../../config/load-config.js';
import { kafkaConfig } from '../../../run/sources.js';
import { testTopic } from '../../../../test/kafka.js';

const REQUIRED = ['KAFKA_SASL_BROKERS', 'KAFKA_SASL_SSL_BROKERS', 'KAFKA_CA_FILE', 'KAFKA_SASL_USER', 'KAFKA_SASL_PASSWORD'] as const;
type Env = Record<(typeof REQUIRED)[number], string>;

/** The broker's SASL listeners, from the environment; missing ones fail every test (never a skip). */
function securityEnv(): Env {
  const missing = REQUIRED.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set. The vitest global setup sets them when it starts Kafka through `
      + 'infra/kafka/kafka.sh; with KAFKA_BROKERS naming an external broker, also set '
      + `${REQUIRED.join(', ')} for that broker's SASL_PLAINTEXT and SASL_SSL listeners (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), `
      + 'e.g. eval "$(infra/kafka/kafka.sh env)" for the script\'s broker, or unset KAFKA_BROKERS');
  }
  return Object.fromEntries(REQUIRED.map((k) => [k, process.env[k]!])) as Env;
}

const run = `${process.pid}-${Date.now().toString(36)}`;
const WRONG_PASSWORD_ENV = `FLOWLOG_TEST_WRONG_KAFKA_PASSWORD_${process.pid}`;
let dir = '';
let passwordFile = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-kafka-security-'));
  passwordFile = join(dir, 'kafka-password');
  const password = process.env.KAFKA_SASL_PASSWORD ?? '';
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  process.env[WRONG_PASSWORD_ENV] = `${password}-wrong`;
});

afterAll(() => {
  delete process.env[WRONG_PASSWORD_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A kafka source as a user writes it (YAML is a superset of JSON), validated like flowlog's config file. */
function source(fields: { brokers: string; sasl: Record<string, unknown>; tls?: Record<string, unknown> }): KafkaSourceConfig {
  const text = JSON.stringify({
    sources: [{ kind: 'kafka', name: 'security-test', brokers: fields.brokers.split(','), topics: ['unused'], sasl: fields.sasl, ...(fields.tls ? { tls: fields.tls } : {}) }],
  });
  const src = parseConfig(text, 'kafka-security.test config').sources[0]!;
  if (src.kind !== 'kafka') throw new Error('expected a kafka source');
  return src;
}

/** kafkajs through flowlog's settings; no retries for the cases that must be refused. */
function client(src: KafkaSourceConfig, retries?: number): Kafka {
  const settings: KafkaConfig = { ...kafkaConfig(src, 'sources[0]'), logLevel: logLevel.NOTHING, connectionTimeout: 5_000 };
  return new Kafka(retries === undefined ? settings : { ...settings, retry: { retries } });
}

/** Creates a topic, produces one message and consumes it back, all through the given settings. */
async function roundTrip(src: KafkaSourceConfig, label: string): Promise<string> {
  const kafka = client(src);
  const topic = testTopic(`flowlog-security-${label}`);
  const value = `hello over ${label} ${run}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: label, value }] });
  } finally {
    await producer.disconnect();
  }
  // short long-polls: disconnect() waits for the fetch in flight
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message on ${topic} within 20 s`)), 20_000);
      consumer.run({
        eachMessage: async ({ message }) => { clearTimeout(timer); resolve(message.value?.toString() ?? ''); },
      }).catch((e: unknown) => { clearTimeout(timer); reject(e as Error); });
    });
  } finally {
    await consumer.disconnect();
  }
}

/** What connecting a producer with these settings throws (it must throw). */
async function refusal(src: KafkaSourceConfig): Promise<Error> {
  const producer = client(src, 0).producer();
  try {
    await producer.connect();
  } catch (e) {
    return e as Error;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  throw new Error('the broker accepted the connection; it should have refused it');
}

describe('Kafka TLS and SASL through kafkaConfig, against a real broker', () => {
  const password = { env: 'KAFKA_SASL_PASSWORD' };

  it.concurrent.each([
    ['plain', 'sasl-plaintext-plain'],
    ['scram-sha-256', 'sasl-plaintext-scram-sha-256'],
    ['scram-sha-512', 'sasl-plaintext-scram-sha-512'],
  ])('SASL_PLAINTEXT + %s: produces and consumes', async (mechanism, label) => {
    const env = securityEnv();
    const src = source({ brokers: env.KAFKA_SASL_BROKERS, sasl: { mechanism, username: env.KAFKA_SASL_USER, password } });
    expect(src.sasl?.mechanism).toBe(mechanism);
    expect(await roundTrip(src, label)).toBe(`hello over ${label} ${run}`);
  });

  it.concurrent('SASL_SSL + PLAIN with the CA file (the Event Hubs way): produces and consumes', async () => {
    const env = securityEnv();
    const src = source({
      brokers: env.KAFKA_SASL_SSL_BROKERS,
      tls: { ca_file: env.KAFKA_CA_FILE },
      sasl: { mechanism: 'plain', username: env.KAFKA_SASL_USER, password },
    });
    expect(kafkaConfig(src, 'sources[0]').ssl).toMatchObject({ rejectUnauthorized: true });
    expect(await roundTrip(src, 'sasl-ssl-plain')).toBe(`hello over sasl-ssl-plain ${run}`);
  });

  it.concurrent('SASL_SSL + SCRAM-SHA-512, password from a secret file: produces and consumes', async () => {
    const env = securityEnv();
    const src = source({
      brokers: env.KAFKA_SASL_SSL_BROKERS,
      tls: { enabled: true, reject_unauthorized: true, ca_file: env.KAFKA_CA_FILE },
      sasl: { mechanism: 'scram-sha-512', username: env.KAFKA_SASL_USER, password: { file: passwordFile } },
    });
    expect(await roundTrip(src, 'sasl-ssl-scram-sha-512')).toBe(`hello over sasl-ssl-scram-sha-512 ${run}`);
  });

  it.concurrent.each([
    ['plain', 'PLAIN'],
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['scram-sha-512', 'SCRAM-SHA-512'],
  ])('a wrong password is refused (%s)', async (mechanism, name) => {
    const env = securityEnv();
    const src = source({ brokers: env.KAFKA_SASL_BROKERS, sasl: { mechanism, username: env.KAFKA_SASL_USER, password: { env: WRONG_PASSWORD_ENV } } });
    const e = await refusal(src);
    expect(e.name).toBe('KafkaJSSASLAuthenticationError');
    expect(e.message).toMatch(new RegExp(`^SASL ${name.replace(/-/g, '[- ]?')} authentication failed`, 'i'));
  });

  it.concurrent('TLS without the CA file is refused (the broker certificate is not trusted)', async () => {
    const env = securityEnv();
    const src = source({
      brokers: env.KAFKA_SASL_SSL_BROKERS,
      tls: { enabled: true, reject_unauthorized: true },
      sasl: { mechanism: 'plain', username: env.KAFKA_SASL_USER, password },
    });
    const e = await refusal(src);
    // the connection error, as it is or wrapped by kafkajs' retrier (retries: 0)
    const chain: (Error & { code?: string })[] = [];
    for (let c: unknown = e; c instanceof Error && chain.length < 5; c = (c as Error).cause) chain.push(c);
    const conn = chain.find((c) => c.name === 'KafkaJSConnectionError');
    expect(conn, `expected a KafkaJSConnectionError in ${chain.map((c) => `${c.name}: ${c.message}`).join(' <- ')}`).toBeDefined();
    // Node's verdict on a certificate from a CA it does not know (kafka.sh's broker sends no root:
    // UNABLE_TO_VERIFY_LEAF_SIGNATURE; another broker may send its whole chain)
    expect(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']).toContain(conn!.code);
    expect(conn!.message).toMatch(/certificate/);
  });
});
