/**
 * Which sources of one run may deliver the same objects without cutting them
 * alike (delivery-overlap.ts), from configurations as `flowlog run` reads them.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../schemas/config.js';
import { deliveryOverlaps, sharedStreams } from '../delivery-overlap.js';

const s3 = (name: string, uri: string, mode = 'backfill') => ({ kind: 's3', name, uri, mode });
const sqs = (name: string, allow: { bucket: string; prefix?: string }[]) => ({ kind: 'sqs', name, queue_url: `https://sqs.us-east-1.amazonaws.com/111122223333/${name}`, s3: { allow } });
const kafka = (name: string, allow?: { bucket: string; prefix?: string }[]) => ({ kind: 'kafka', name, brokers: ['k:9092'], topics: ['t'], group_id: 'g', ...(allow ? { s3: { allow } } : {}) });
const overlaps = (sources: unknown[], embedded = true) => deliveryOverlaps(configSchema.parse({ sources }).sources, embedded);

describe('deliveryOverlaps', () => {
  it('a backfill and an SQS queue of one bucket, prefixes nested: flagged', () => {
    expect(overlaps([s3('history', 's3://logs/AWSLogs/111/'), sqs('live', [{ bucket: 'logs', prefix: 'AWSLogs/' }])]))
      .toEqual([{ bucket: 'logs', sources: ['history', 'live'] }]);
  });

  it('disjoint prefixes, other buckets, and local folders: not flagged', () => {
    expect(overlaps([
      s3('a', 's3://logs/AWSLogs/111/'), sqs('b', [{ bucket: 'logs', prefix: 'AWSLogs/222/' }]), sqs('c', [{ bucket: 'other' }]),
      { kind: 'local', name: 'd', path: '/data' },
    ])).toEqual([]);
  });

  it('writers that cut alike are not flagged: two polls, two SQS queues (turns on the embedded store, per object on a server)', () => {
    expect(overlaps([s3('p1', 's3://logs/', 'poll'), s3('p2', 's3://logs/AWSLogs/', 'poll')])).toEqual([]);
    expect(overlaps([sqs('q1', [{ bucket: 'logs' }]), sqs('q2', [{ bucket: 'logs' }])])).toEqual([]);
    expect(overlaps([sqs('q1', [{ bucket: 'logs' }]), sqs('q2', [{ bucket: 'logs' }])], false)).toEqual([]);
  });

  it('a poll beside SQS: safe on a server (both per object) and on the embedded store (both rounds taking turns); a backfill beside a poll is not', () => {
    const both = [s3('poll', 's3://logs/', 'poll'), sqs('live', [{ bucket: 'logs' }])];
    expect(overlaps(both, false)).toEqual([]);
    expect(overlaps(both, true)).toEqual([]);
    expect(overlaps([s3('poll', 's3://logs/', 'poll'), s3('history', 's3://logs/AWSLogs/')])).toEqual([{ bucket: 'logs', sources: ['poll', 'history'] }]);
  });

  it('Kafka notifications of a bucket beside any other path to it, and two backfills of it: flagged', () => {
    expect(overlaps([kafka('k', [{ bucket: 'logs' }]), s3('p', 's3://logs/x/', 'poll')], false)).toEqual([{ bucket: 'logs', sources: ['k', 'p'] }]);
    expect(overlaps([kafka('k')]).length).toBe(0); // flow lines only, no bucket
    expect(overlaps([s3('a', 's3://logs/'), s3('b', 's3://logs/')])).toEqual([{ bucket: 'logs', sources: ['a', 'b'] }]);
  });
});

describe('sharedStreams', () => {
  const parse = (sources: unknown[]) => configSchema.parse({ sources }).sources;
  it('on the embedded store, two sources of one queue URL, or two polls of one prefix, would number rounds in one stream', () => {
    expect(sharedStreams(parse([sqs('a', [{ bucket: 'xxx' }]), { ...sqs('b', [{ bucket: 'yyy' }]), queue_url: 'https://sqs.us-east-1.amazonaws.com/111122223333/a/' }]), true)).toEqual([['a', 'b']]);
    expect(sharedStreams(parse([s3('p', 's3://logs/AWSLogs', 'poll'), s3('q', 's3://logs/AWSLogs/', 'poll')]), true)).toEqual([['p', 'q']]);
  });

  it('other queues, other prefixes, backfills, and any of it on a server: none', () => {
    expect(sharedStreams(parse([sqs('a', [{ bucket: 'xxx' }]), sqs('b', [{ bucket: 'xxx' }]), s3('p', 's3://logs/a/', 'poll'), s3('q', 's3://logs/b/', 'poll'), s3('r', 's3://logs/a/')]), true)).toEqual([]);
    expect(sharedStreams(parse([s3('p', 's3://logs/', 'poll'), s3('q', 's3://logs/', 'poll')]), false)).toEqual([]);
    // one bucket name on two S3-compatible servers: two buckets
    expect(sharedStreams(parse([{ ...s3('p', 's3://logs/', 'poll'), endpoint: 'http://a:9000' }, { ...s3('q', 's3://logs/', 'poll'), endpoint: 'http://b:9000' }]), true)).toEqual([]);
  });
});
