/**
 * The test tiers hold: a suite that talks to Kafka or MinIO is named
 * *.int.test.ts (the integration project, whose global setup starts the
 * servers), so `npm run test:unit` never needs a server. A server suite
 * named like a unit one would fail there for want of KAFKA_BROKERS/S3_ENDPOINT.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

/** Unit suites that name the servers without using them: this one, the starter's test with stand-in scripts, kafkajs's log levels, and the secrets suite (S3_ENDPOINT pointing nowhere). */
const NAMES_SERVERS = ['test/tiers.test.ts', 'infra/servers.test.ts', 'services/telemetry/test/kafka-log.test.ts', 'test/hostile/secrets.test.ts'];

/** What only a suite that uses the servers mentions. */
const SERVER_USE = /\b(KAFKA_BROKERS|S3_ENDPOINT|ensureServers|privateKafka|s3SettingsFromEnv|createTopic)\b|from 'kafkajs'|infra\/(kafka|s3)\/\w+\.sh/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)));
}

const needsServers = (text: string): boolean => SERVER_USE.test(text);

describe('test tiers', () => {
  const files = ['services', 'schemas', 'test', 'infra'].flatMap((d) => testFiles(join(REPO_ROOT, d)));

  it('finds the suites of both tiers', () => {
    expect(files.filter((f) => f.endsWith('.int.test.ts')).length).toBeGreaterThan(10);
    expect(files.length).toBeGreaterThan(50);
  });

  it('every suite that talks to Kafka or MinIO is an integration suite (*.int.test.ts)', () => {
    const misplaced = files.filter((f) => !NAMES_SERVERS.includes(f) && !f.endsWith('.int.test.ts') && needsServers(readFileSync(join(REPO_ROOT, f), 'utf8')));
    expect(misplaced).toEqual([]);
  });

  it('recognises server use', () => {
    expect(needsServers("if (!process.env.KAFKA_BROKERS) throw new Error('...')")).toBe(true);
    expect(needsServers("import { Kafka } from 'kafkajs';")).toBe(true);
    expect(needsServers('const c = makeS3Client(s3SettingsFromEnv());')).toBe(true);
    expect(needsServers("import { parseAll } from './parse-helpers.js';")).toBe(false);
  });
});
