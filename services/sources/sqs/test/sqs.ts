/** Queues and notifications on the real SQS-compatible server (infra/sqs/sqs.sh), for the SQS source's tests. */
import {
  CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';

export function testSqs(): SQSClient {
  if (!process.env.SQS_ENDPOINT) throw new Error('SQS_ENDPOINT is not set: the global setup starts the SQS server (infra/sqs/sqs.sh); it must not be missing');
  return new SQSClient({ endpoint: process.env.SQS_ENDPOINT, region: process.env.SQS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: process.env.SQS_ACCESS_KEY ?? 'flowlog', secretAccessKey: process.env.SQS_SECRET_KEY ?? 'flowlog-secret' } });
}

/** A new queue; with `dlq`, a redrive policy that moves a message there after `maxReceiveCount` receives. */
export async function createQueue(sqs: SQSClient, name: string, opts: { visibility?: number; dlq?: { url: string; maxReceiveCount: number } } = {}): Promise<string> {
  let redrive: Record<string, string> = {};
  if (opts.dlq) {
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: opts.dlq.url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    redrive = { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: opts.dlq.maxReceiveCount }) };
  }
  const r = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(opts.visibility ?? 30), ...redrive } }));
  return r.QueueUrl!;
}

export async function send(sqs: SQSClient, url: string, ...bodies: string[]): Promise<void> {
  for (const b of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b }));
}

/** Messages in the queue: visible ones and those received but not yet deleted. */
export async function depth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

/** Receives (short polls) without deleting: what another consumer would get now. */
export async function peek(sqs: SQSClient, url: string): Promise<string[]> {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
  return (r.Messages ?? []).map((m) => m.Body ?? '');
}

/** S3 notification bodies as the three delivery paths carry them. */
export const notes = {
  s3: (bucket: string, key: string, etag: string, size: number) => JSON.stringify({ Records: [{
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put',
    s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size, eTag: etag } },
  }] }),
  sns: (inner: string) => JSON.stringify({
    Type: 'Notification', MessageId: 'b1946ac9-0000-0000-0000-000000000001', TopicArn: 'arn:aws:sns:us-east-1:123456789012:flow-logs',
    Subject: 'Amazon S3 Notification', Message: inner, Timestamp: '2026-06-01T00:00:00.000Z', SignatureVersion: '1',
  }),
  eventBridge: (bucket: string, key: string, etag: string, size: number) => JSON.stringify({
    version: '0', id: '17793124-05d4-b198-2fde-7ededc63b103', 'detail-type': 'Object Created', source: 'aws.s3', account: '123456789012',
    time: '2026-06-01T00:00:00Z', region: 'us-east-1', resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size, etag, sequencer: '00617F08299329D189' }, reason: 'PutObject' },
  }),
  test: (bucket: string) => JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-06-01T00:00:00.000Z', Bucket: bucket, RequestId: 'X', HostId: 'Y' }),
};
