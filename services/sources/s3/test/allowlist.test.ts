import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../../schemas/config.js';
import { validateConfig } from '../../../config/load-config.js';
import { S3Allowlist } from '../allowlist.js';

describe('S3Allowlist', () => {
  const allow = new S3Allowlist([{ bucket: 'flow-logs', prefix: 'AWSLogs/' }, { bucket: 'flow-logs', prefix: 'azure/' }, { bucket: 'whole-bucket' }]);

  it('allows the listed buckets, exactly, under their prefixes', () => {
    expect(allow.allows('flow-logs', 'AWSLogs/123/vpcflowlogs/x.log.gz')).toBe(true);
    expect(allow.allows('flow-logs', 'azure/nsg.json')).toBe(true);
    expect(allow.allows('whole-bucket', 'anything/at/all')).toBe(true);
  });

  it('refuses other buckets, near-miss names and keys outside every prefix, saying why', () => {
    expect(allow.refusal('payroll', 'AWSLogs/x')).toMatch(/bucket payroll is not in the source's s3.allow list/);
    expect(allow.allows('flow-logs-2', 'AWSLogs/x')).toBe(false);
    expect(allow.allows('Flow-Logs', 'AWSLogs/x')).toBe(false);
    expect(allow.refusal('flow-logs', 'secrets/db.env')).toMatch(/none of the allowed prefixes of flow-logs \("AWSLogs\/", "azure\/"\)/);
    expect(allow.allows('flow-logs', 'AWSLogsOther/x')).toBe(false);
    expect(allow.allows('flow-logs', 'awslogs/x')).toBe(false);
  });

  it('refuses a key with . or .. segments, which a server in between could normalise out of the prefix', () => {
    expect(allow.refusal('flow-logs', 'AWSLogs/../secrets/db.env')).toMatch(/"\." or "\.\." segment/);
    expect(allow.allows('whole-bucket', './x')).toBe(false);
    expect(allow.allows('flow-logs', 'AWSLogs/a..b/x')).toBe(true); // dots inside a name are a name
  });

  it('an empty list allows nothing', () => {
    expect(new S3Allowlist([]).allows('flow-logs', 'AWSLogs/x')).toBe(false);
  });
});

describe('the Kafka source s3.allow setting', () => {
  const kafka = (s3: unknown) => ({ sources: [{ kind: 'kafka', name: 'k', brokers: ['b:9092'], topics: ['t'], s3 }] });

  it('is required with an s3: section, with a hint that says what to write', () => {
    expect(() => validateConfig(kafka({ region: 'eu-west-1' }), 'f.yaml')).toThrow(/sources\[0\]\.s3\.allow: missing; expected a list of the buckets \(and key prefixes\) .*allow: \[\{ bucket: my-flow-logs, prefix: AWSLogs\/ \}\]/);
    expect(() => validateConfig(kafka({ allow: [] }), 'f.yaml')).toThrow(/s3\.allow: got \[\]; expected at least one \{ bucket, prefix \}/);
    expect(() => validateConfig(kafka({ allow: [{ bucket: 'Not_A_Bucket' }] }), 'f.yaml')).toThrow(/s3\.allow\[0\]\.bucket: .*an S3 bucket name/);
  });

  it('takes buckets with or without a prefix', () => {
    const cfg = configSchema.parse(kafka({ allow: [{ bucket: 'flow-logs', prefix: 'AWSLogs/' }, { bucket: 'other' }] }));
    const src = cfg.sources[0]!;
    expect(src.kind === 'kafka' && src.s3?.allow).toEqual([{ bucket: 'flow-logs', prefix: 'AWSLogs/' }, { bucket: 'other' }]);
  });
});
