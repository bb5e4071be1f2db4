/**
 * Which notified objects a source may fetch. A notification (Kafka or SQS) is
 * untrusted input: whoever can publish one would otherwise make
 * flowlog read, with its own credentials, any object in any bucket those
 * credentials reach. The operator names the buckets, and optionally key
 * prefixes, a source may read; anything else is refused before any request
 * is made (and quarantined NOT_ALLOWED by the caller).
 *
 * Buckets match exactly. A prefix matches keys that start with it, as S3's
 * own prefixes do (write the trailing slash: `AWSLogs/` does not match
 * `AWSLogsOther/`). A key with `.` or `..` segments is refused whatever the
 * rules say: S3 reads keys literally, but a proxy or S3-compatible server in
 * between may normalise the path into another prefix.
 */
export interface AllowRule {
  bucket: string;
  /** Key prefix; absent or empty: the whole bucket. */
  prefix?: string | undefined;
}

export class S3Allowlist {
  private readonly rules: readonly AllowRule[];

  constructor(rules: readonly AllowRule[]) { this.rules = rules.map((r) => ({ bucket: r.bucket, prefix: r.prefix ?? '' })); }

  /** Why an object may not be read, or null when a rule allows it. */
  refusal(bucket: string, key: string): string | null {
    if (key.split('/').some((seg) => seg === '.' || seg === '..')) return `key s3://${bucket}/${key} has a "." or ".." segment`;
    const inBucket = this.rules.filter((r) => r.bucket === bucket);
    if (inBucket.length === 0) return `bucket ${bucket} is not in the source's s3.allow list`;
    if (!inBucket.some((r) => key.startsWith(r.prefix ?? ''))) {
      return `s3://${bucket}/${key} is under none of the allowed prefixes of ${bucket} (${inBucket.map((r) => JSON.stringify(r.prefix)).join(', ')})`;
    }
    return null;
  }

  allows(bucket: string, key: string): boolean { return this.refusal(bucket, key) === null; }

  /** `bucket/prefix` per rule, for startup logs. */
  describe(): string[] { return this.rules.map((r) => `${r.bucket}/${r.prefix ?? ''}`); }
}
