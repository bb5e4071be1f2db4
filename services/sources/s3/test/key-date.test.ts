import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayPrefixes, inRange, keyTime } from '../key-date.js';

describe('S3 key dates', () => {
  it('reads the AWS, Hive and Azure layouts', () => {
    expect(keyTime('AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/x.log.gz')?.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(keyTime('p/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=24/hour=07/x.parquet')?.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    expect(keyTime('insights-logs-flowlogflowevent/flowLogResourceID=/A/B/y=2026/m=11/d=24/h=13/m=00/macAddress=X/PT1H.json')?.toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(keyTime('random/key.log')).toBeNull();
  });

  it('keeps exactly the days that overlap the range', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 800 }), fc.integer({ min: 1, max: 72 }), (day, fromH, lenH) => {
      const t = new Date(Date.UTC(2025, 0, 1) + day * 86_400_000);
      const key = `AWSLogs/123456789012/vpcflowlogs/eu-west-1/${t.getUTCFullYear()}/${String(t.getUTCMonth() + 1).padStart(2, '0')}/${String(t.getUTCDate()).padStart(2, '0')}/f.log.gz`;
      const from = new Date(Date.UTC(2025, 0, 1) + fromH * 86_400_000 / 24 * 24 + (fromH % 24) * 3600_000);
      const to = new Date(from.getTime() + lenH * 3600_000);
      const overlap = t.getTime() < to.getTime() && t.getTime() + 86_400_000 > from.getTime();
      expect(inRange(key, keyTime(key)!, from, to)).toBe(overlap);
    }));
  });

  it('enumerates day prefixes under a region prefix only', () => {
    const p = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
    expect(dayPrefixes(p, new Date('2026-02-27T10:00:00Z'), new Date('2026-03-02T00:00:00Z'))).toEqual([
      `${p}2026/02/27/`, `${p}2026/02/28/`, `${p}2026/03/01/`]);
    expect(dayPrefixes('AWSLogs/', new Date('2026-02-27T10:00:00Z'))).toBeNull();
  });
});
