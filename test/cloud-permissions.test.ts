/**
 * docs/cloud-permissions.md: every IAM policy on the page is valid JSON in the IAM policy shape, and the
 * page grants what flowlog needs (S3 list on the bucket with a prefix condition, get on the objects,
 * KMS decrypt scoped to S3; the four SQS actions) and names the Azure roles. Not applied to a real account.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

interface Statement { Sid: string; Effect: string; Action: string | string[]; Resource: string; Condition?: Record<string, Record<string, unknown>> }
const page = readFileSync(join(REPO_ROOT, 'docs/cloud-permissions.md'), 'utf8');
const policies = [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as { Version: string; Statement: Statement[] });
const statements = policies.flatMap((p) => p.Statement);
const withAction = (a: string) => statements.filter((s) => [s.Action].flat().includes(a));

describe('docs/cloud-permissions.md', () => {
  it('holds IAM policies that parse, each statement an Allow with a Sid, actions and one resource ARN', () => {
    expect(policies.length).toBe(3);
    for (const p of policies) expect(p.Version).toBe('2012-10-17');
    for (const s of statements) {
      expect(s.Effect, s.Sid).toBe('Allow');
      expect(s.Resource, s.Sid).toMatch(/^arn:aws:(s3|sqs|kms):/);
      expect([s.Action].flat().every((a) => /^(s3|sqs|kms):[A-Za-z]+$/.test(a)), s.Sid).toBe(true);
    }
  });

  it('lists the bucket under a prefix condition, reads only the objects under it, decrypts only through S3', () => {
    const [list] = withAction('s3:ListBucket');
    expect(list!.Resource).toBe('arn:aws:s3:::my-flow-logs');
    expect(list!.Condition?.StringLike?.['s3:prefix']).toEqual(['AWSLogs/', 'AWSLogs/*']);
    expect(withAction('s3:GetObject').map((s) => s.Resource)).toEqual(['arn:aws:s3:::my-flow-logs/AWSLogs/*']);
    const vias = withAction('kms:Decrypt').map((s) => s.Condition?.StringEquals?.['kms:ViaService']);
    expect(vias).toEqual(['s3.us-east-1.amazonaws.com', 'sqs.us-east-1.amazonaws.com']);
    // nothing that writes or deletes flow logs
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => /^s3:(Delete|PutBucket)/.test(a))).toEqual([]);
    expect(withAction('s3:PutObject').map((s) => s.Resource)).toEqual(['arn:aws:s3:::flow-reports/daily/*']);
  });

  it('consumes SQS notifications with the four queue actions on the queue', () => {
    const sqs = statements.find((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')))!;
    expect([sqs.Action].flat().sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    expect(sqs.Resource).toMatch(/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]+$/);
  });

  it('names the Azure data-plane roles for blobs and Event Hubs', () => {
    expect(page).toContain('**Storage Blob Data Reader** | the container');
    expect(page).toContain('**Azure Event Hubs Data Receiver**');
    expect(page).toContain('**Listen** claim only');
  });
});
