/**
 * Receives of S3 notifications from SQS into the store: the pipeline side of
 * the SQS source (sources/sqs). Each receive (or several gathered) names
 * objects; how they are batched depends on who else may store them:
 *
 * - 'shared' (the embedded store: one process writes it): the objects share
 *   batches, one insert for many small objects, and the round's composition
 *   is written ahead so a restart replays it exactly (shared-rounds.ts);
 * - 'per-object' (a ClickHouse server, which several instances may share):
 *   each object's rows in batches of their own, so that two consumers storing
 *   the same object (S3 and SQS both deliver at least once) write the same
 *   batches and the engine keeps one copy (ingest.ts, sharedWriterCuts).
 *
 * A message is deleted only when every object it names is stored: per object,
 * when the ledger says so (by this consumer or another); shared, when the
 * round that stored them is durable. One naming an object S3 could not
 * deliver (down, refused, or not there: 404) is kept, so it returns after its
 * visibility timeout and, past the queue's maxReceiveCount, goes to its
 * dead-letter queue. One naming a version of an hourly Azure blob replaced
 * since (412) is deleted: the blob's newer version is notified too, and a
 * ledger row for the old one would hide what is stored of the blob. A message that is not an S3 notification is quarantined
 * and deleted; a test event, or one naming no created object, is deleted; an
 * object outside the allowlist is quarantined NOT_ALLOWED, never fetched.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Committer } from '../commit/committer.js';
import { QuarantineError } from '../core/rejects.js';
import type { S3Allowlist } from '../sources/s3/allowlist.js';
import { s3Notification } from '../sources/s3/s3-notification.js';
import type { S3Object } from '../sources/s3/s3-source.js';
import type { SqsMessage, SqsSink } from '../sources/sqs/sqs-source.js';
import type { FlowStore } from '../store/store.js';
import { EVENTS } from '../telemetry/event-names.js';
import { log as rootLog } from '../telemetry/log.js';
import { emptySummary, type IngestOptions, type IngestSummary } from './ingest.js';
import { ingestAlone, SharedRounds } from './shared-rounds.js';

export interface SqsRoundsOptions {
  /** The queue's name, in the quarantine's source column (sqs://queue/message-id). */
  queue: string;
  /** The queue's URL: its rounds' stream in the ledger is sqs://host/account/queue (default: sqs://queue). */
  queueUrl?: string;
  /** How a round's objects are batched (see above); default 'per-object'. */
  cuts?: 'shared' | 'per-object';
  s3: { client: S3Client; allow: S3Allowlist; concurrency?: number };
  ingest: IngestOptions;
  /** Log name (the source's). */
  name?: string;
  /** After each receive: its messages, the round over their objects, and the messages kept for a later delivery. */
  onRound?: (r: { messages: number; deleted: number; kept: number; summary: IngestSummary }) => void;
}

export class SqsRounds implements SqsSink {
  /** Quarantines whole messages and refused objects (the write protocol's quarantine path), and reads the ledger. */
  private readonly committer: Committer;
  private readonly log;
  private readonly shared: SharedRounds | null;

  constructor(private readonly store: FlowStore, private readonly opts: SqsRoundsOptions) {
    this.committer = new Committer(store, { sourceKind: 'sqs', capacity: 1, ...(opts.ingest.onBatch ? { onStored: opts.ingest.onBatch } : {}) });
    this.log = rootLog.child({ source: opts.name ?? opts.queue });
    this.shared = opts.cuts === 'shared' ? new SharedRounds(store, { kind: 'sqs', stream: streamOf(opts), s3: opts.s3, ingest: opts.ingest, log: this.log, notified: true }) : null;
  }

  async recover(): Promise<void> { await this.shared?.recoverPending(); }

  /** Receives stored per object, one after another (the source receives the next while one is stored). */
  private serial: Promise<unknown> = Promise.resolve();

  /** Objects in batches of their own (ingest.ts, sharedWriterCuts): on a server, where instances share the queue. */
  private perObject(list: S3Object[]): Promise<IngestSummary> {
    const run = this.serial.then(() => ingestAlone(this.store, this.opts.s3, this.opts.ingest, list, true));
    this.serial = run.catch(() => undefined);
    return run;
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
    const summary = list.length === 0 ? emptySummary() : this.shared ? await this.shared.storeObjects(list) : await this.perObject(list);
    const unfinished = new Map(summary.unfinished.map((u) => [u.object, u.reason]));
    // per object, the ledger decides, not this round's summary: an object another consumer stored counts as stored.
    // Shared, this round was the only writer in its turn: what it did not leave unfinished is in the ledger.
    const ledger = this.shared || list.length === 0 ? null : await this.committer.progress('s3', [...new Set(list.map((o) => o.name))]);
    // a replaced version of a blob that grows by appending: its newer version has a notification of its own
    const superseded = new Set(summary.superseded);
    for (const name of superseded) unfinished.delete(name);
    const stored = (o: S3Object): boolean => {
      if (superseded.has(o.name)) return true;
      if (!ledger) return !unfinished.has(o.name);
      const p = ledger.get(o.name);
      return Boolean(p?.complete && p.identity === o.identity);
    };
    let kept = 0;
    for (const [id, objs] of named) {
      const missing = objs.filter((o) => !stored(o));
      if (missing.length === 0) { deletable.add(id); continue; }
      kept++;
      const m = messages.find((x) => x.id === id)!;
      this.log.warn(EVENTS.sqsMessageKept, { message: id, receive_count: m.receiveCount, objects: missing.map((o) => o.name),
        reason: missing.map((o) => unfinished.get(o.name)).find(Boolean) ?? 'not stored' });
    }
    this.opts.onRound?.({ messages: messages.length, deleted: deletable.size, kept,
      summary: { ...summary, unfinished: summary.unfinished.filter((u) => unfinished.has(u.object)), seconds: (performance.now() - t0) / 1000 } });
    return deletable;
  }
}

function parseBody(body: string): ReturnType<typeof s3Notification> {
  let doc: unknown;
  try { doc = JSON.parse(body); } catch { return null; }
  return s3Notification(doc);
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The ledger's stream of a queue's rounds: its host (the region's endpoint), account and name. */
function streamOf(o: SqsRoundsOptions): string {
  if (!o.queueUrl) return `sqs://${o.queue}`;
  const url = new URL(o.queueUrl);
  return `sqs://${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
