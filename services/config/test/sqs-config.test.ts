/** The sqs source's settings: SQS's own bounds, and the allowlist a notification source cannot do without. */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../schemas/config.js';

const sqs = (extra: Record<string, unknown> = {}) => configSchema.safeParse({ sources: [{
  kind: 'sqs', name: 'q', queue_url: 'https://sqs.us-east-1.amazonaws.com/111122223333/flow-log-notifications',
  s3: { allow: [{ bucket: 'corp-flow-logs', prefix: 'AWSLogs/' }] }, ...extra,
}] });
const problems = (r: ReturnType<typeof sqs>) => (r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));

describe('sqs source config', () => {
  it('takes the defaults: 20 s long polls, 10 messages, 60 s visibility', () => {
    const r = sqs();
    expect(problems(r)).toEqual([]);
    expect(r.success && r.data.sources[0]).toMatchObject({ region: 'us-east-1', wait_time: '20s', max_messages: 10, visibility_timeout: '60s', concurrency: 4 });
  });

  it("refuses what SQS refuses: a long poll over 20 s, more than 10 messages, a visibility outside 1 s to 12 h", () => {
    expect(problems(sqs({ wait_time: '21s' }))).toEqual([expect.stringMatching(/^sources\.0\.wait_time: at most 20s/)]);
    expect(problems(sqs({ max_messages: 11 }))).toEqual([expect.stringMatching(/^sources\.0\.max_messages:/)]);
    expect(problems(sqs({ visibility_timeout: '500ms' }))).toEqual([expect.stringMatching(/^sources\.0\.visibility_timeout: from 1s to 12h/)]);
    expect(problems(sqs({ visibility_timeout: '13h' }))).toEqual([expect.stringMatching(/^sources\.0\.visibility_timeout: from 1s to 12h/)]);
    expect(problems(sqs({ visibility_timeout: '12h' }))).toEqual([]);
  });

  it('needs the allowlist of the buckets notified objects may come from', () => {
    expect(problems(sqs({ s3: { region: 'us-east-1' } }))).toEqual([expect.stringMatching(/^sources\.0\.s3\.allow: a list of the buckets/)]);
    expect(problems(sqs({ s3: undefined }))).toEqual([expect.stringMatching(/^sources\.0\.s3:/)]);
  });
});
