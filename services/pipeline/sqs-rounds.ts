/**
 * Receives of S3 notifications from SQS into the store: the pipeline side of
 * the SQS source (sources/sqs). Each receive is one round of the object
 * pipeline (ingest.ts) over the objects its messages name, each object's
 * rows in batches of their own so that two consumers storing the same object
 * (S3 and SQS both deliver at least once) write the same batches and the
 * engine keeps one copy (ingest.ts, sharedWriterCuts).
 *
 * A message is deleted only when the ledger says every object it names is
 * stored, by this consumer or another; one naming an object S3 could not
 * deliver (down, refused, or not there: 404) is kept, so it returns after its
 * visibility timeout and, past the queue's maxReceiveCount, goes to its
 * dead-letter queue. A message that is not an S3 notification is quarantined
 * and deleted; a test event, or one naming no created object, is deleted; an
 * object outside the allowlist is quarantined NOT_ALLOWED, never fetched.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Committer } from '../commit/committer.js';
import { FlowlogError } from '../core/errors.js';
import { QuarantineError } from '../core/rejects.js';
import type { S3Allowlist } from '../sources/s3/allowlist.js';
import { openS3Body } from '../sources/s3/s3-body.js';
import { s3Notification } from '../sources/s3/s3-notification.js';
import type { S3Object } from '../sources/s3/s3-source.js';
import type { SqsMessage, SqsSink } from '../sources/sqs/sqs-source.js';
import type { FlowStore } from '../store/store.js';
import { EVENTS } from '../telemetry/event-names.js';
import { log as rootLog } from '../telemetry/log.js';
import { ingestObjects, type IngestOptions, type IngestSummary } from './ingest.js';

export interface SqsRoundsOptions {
  /** The queue's name, in the quarantine's source column (sqs://queue/message-id). */
  queue: string;
  s3: { client: S3Client; allow: S3Allowlist; concurrency?: number };
  ingest: IngestOptions;
  /** Log name (the source's). */
  name?: string;
  /** After each receive: its messages, the round over their objects, and the messages kept for a later delivery. */
  onRound?: (r: { messages: number; deleted: number; kept: number; summary: IngestSummary }) => void;
}

const EMPTY: IngestSummary = { objects: 0, skipped: 0, resumed: 0, rows: 0, rejected: 0, bytes: 0, seconds: 0, insertSeconds: 0, warnings: [], unfinished: [] };

export class SqsRounds implements SqsSink {
  /** Quarantines whole messages and refused objects (the write protocol's quarantine path), and reads the ledger. */
  private readonly committer: Committer;
  private readonly log;

  constructor(private readonly store: FlowStore, private readonly opts: SqsRoundsOptions) {
    this.committer = new Committer(store, { sourceKind: 'sqs', capacity: 1, ...(opts.ingest.onBatch ? { onStored: opts.ingest.onBatch } : {}) });
    this.log = rootLog.child({ source: opts.name ?? opts.queue });
  }

  async storeMessages(messages: readonly SqsMessage[]): Promise<ReadonlySet<string>> {
    const t0 = performance.now();
    const deletable = new Set<string>();
    const named = new Map<string, S3Object[]>(); // message id -> the allowed objects it names
    const objects = new Map<string, S3Object>(); // name + identity -> object, each once
    for (const m of messages) {
      const notified = parseBody(m.body);
      if (notified === null) {
        await this.committer.quarantineObject({ name: `sqs://${this.opts.queue}/${m.id}`, identity: md5(m.body), kind: 'sqs' },
          new QuarantineError('DECODE', `SQS message ${m.id} is not an S3 event notification (S3, SNS-wrapped or EventBridge): ${JSON.stringify(m.body.slice(0, 200))}`));
        deletable.add(m.id);
        continue;
      }
      const allowed: S3Object[] = [];
      for (const o of notified) {
        const identity = `${o.etag}:${o.size}`;
        const refused = this.opts.s3.allow.refusal(o.bucket, o.key);
        if (refused) {
          await this.committer.quarantineObject({ name: `s3://${o.bucket}/${o.key}`, identity, kind: 'sqs' },
            new QuarantineError('NOT_ALLOWED', `${refused} (announced by SQS message ${m.id})`));
          continue;
        }
        const name = `s3://${o.bucket}/${o.key}`, key = `${name}\0${identity}`;
        if (!objects.has(key)) objects.set(key, { ...o, name, identity });
        allowed.push(objects.get(key)!);
      }
      named.set(m.id, allowed);
    }
    const list = [...objects.values()];
    const { client } = this.opts.s3;
    const summary = list.length === 0 ? EMPTY : await ingestObjects(this.store, {
      kind: 's3', readAhead: this.opts.s3.concurrency ?? 4, list: async function* () { yield list; }, fetch: (o) => openS3Body(client, o).catch((e: unknown) => { throw notThere(o, e); }),
    }, { ...this.opts.ingest, batchCuts: 'per-object', ledgerForListedOnly: true });
    // the ledger decides, not this round's summary: an object another consumer stored counts as stored
    const ledger = list.length === 0 ? new Map() : await this.committer.progress('s3', [...new Set(list.map((o) => o.name))]);
    const unfinished = new Map(summary.unfinished.map((u) => [u.object, u.reason]));
    let kept = 0;
    for (const [id, objs] of named) {
      const missing = objs.filter((o) => { const p = ledger.get(o.name); return !(p?.complete && p.identity === o.identity); });
      if (missing.length === 0) { deletable.add(id); continue; }
      kept++;
      const m = messages.find((x) => x.id === id)!;
      this.log.warn(EVENTS.sqsMessageKept, { message: id, receive_count: m.receiveCount, objects: missing.map((o) => o.name),
        reason: missing.map((o) => unfinished.get(o.name)).find(Boolean) ?? 'not stored' });
    }
    this.opts.onRound?.({ messages: messages.length, deleted: deletable.size, kept, summary: { ...summary, seconds: (performance.now() - t0) / 1000 } });
    return deletable;
  }
}

function parseBody(body: string): ReturnType<typeof s3Notification> {
  let doc: unknown;
  try { doc = JSON.parse(body); } catch { return null; }
  return s3Notification(doc);
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/**
 * A notified object S3 answers 404 for is not yet (or no longer) there: for a
 * notification that is a delivery to try again (the message is kept, and its
 * dead-letter queue takes it in the end), not content to quarantine.
 */
function notThere(o: S3Object, e: unknown): unknown {
  if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) return e;
  return new FlowlogError('SOURCE_UNAVAILABLE', `${o.name}: S3 has no such object (404), though a notification names it`,
    'the message stays in the queue and is received again; after the queue\'s maxReceiveCount it goes to the dead-letter queue', { cause: e });
}
