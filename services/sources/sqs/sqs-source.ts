/**
 * An SQS queue of S3 object notifications as a source: long polls, hands each
 * receive to the pipeline, and deletes a message only when the pipeline says
 * so (its objects are stored, per the ledger, or it was quarantined).
 *
 * SQS delivers at least once and has no offsets: a message received is only
 * hidden (its visibility timeout), and comes back, to this consumer or
 * another, unless it is deleted in time. While a receive's objects are being
 * stored a heartbeat extends their visibility (every third of the timeout, as
 * Filebeat does), so a slow object is not handed to a second consumer; a
 * consumer that dies stops extending, and its messages return when the
 * timeout runs out. A message the pipeline keeps (an object S3 could not
 * deliver) is neither deleted nor extended: it returns after the timeout, and
 * the queue's redrive policy moves it to a dead-letter queue after
 * maxReceiveCount receives.
 *
 * Supervised like the Kafka source: a receive that fails (queue missing,
 * credentials refused, endpoint down) is reported with its code and tried
 * again with backoff (core/backoff.ts); start() never throws.
 */
import { GetQueueAttributesCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { retryDelayMs, Sleeper } from '../../core/backoff.js';
import { FlowlogError, httpStatusOf } from '../../core/errors.js';
import { EVENTS, failedEvent } from '../../telemetry/event-names.js';
import { errorFields, log, type Logger } from '../../telemetry/log.js';
import type { SourceHealth } from '../source.js';
import { SqsCalls } from './sqs-calls.js';

/** One received message: its body, and what SQS needs to extend or delete it. */
export interface SqsMessage { id: string; receipt: string; body: string; receiveCount: number }

/** Where the source hands each receive: answers the ids of the messages that may be deleted. */
export interface SqsSink {
  storeMessages(messages: readonly SqsMessage[]): Promise<ReadonlySet<string>>;
  /** Before each receive: finish what a crash or a failed round left pending (cheap when nothing is). */
  recover?(): Promise<void>;
}

export interface SqsSourceOptions {
  client: SQSClient;
  /** false: receives, deletes and visibility calls through the SDK too, not signed and sent directly (sqs-calls.ts). */
  lean?: boolean;
  queueUrl: string;
  /** Long poll: seconds a receive waits for messages (0 to 20). */
  waitSeconds: number;
  /** Messages per receive (1 to 10). */
  maxMessages: number;
  /** Messages gathered into one round: a full receive is followed at once by more, without waiting, up to this many (default maxMessages). */
  roundMessages?: number;
  /** Seconds a received message stays hidden; the heartbeat extends it by as much. */
  visibilitySeconds: number;
  /** Log name (the source's). */
  name?: string;
  /** A failed receive or store, with the wait before the next try: logged and counted by the caller. */
  onError?: (e: unknown, retryInMs: number) => void;
  onHealth?: (h: SourceHealth) => void;
}

/** An SQS failure as a typed error: a queue that is not there, credentials refused, or a server that does not answer. */
export function sqsError(e: unknown, queueUrl: string): FlowlogError {
  if (e instanceof FlowlogError) return e;
  const name = (e as { name?: string }).name ?? '';
  const code = (e as { Code?: string }).Code ?? '';
  const status = httpStatusOf(e);
  const msg = `SQS ${queueUrl}: ${name ? `${name}: ` : ''}${(e as Error).message ?? String(e)}`;
  if (/QueueDoesNotExist|NonExistentQueue/.test(`${name} ${code}`)) {
    return new FlowlogError('SOURCE_NOT_FOUND', msg, 'check the source\'s queue_url, or create the queue: flowlog never creates queues, and keeps trying', { cause: e });
  }
  if (status === 403 || status === 401 || /AccessDenied|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient/.test(`${name} ${code}`)) {
    return new FlowlogError('SOURCE_ACCESS_DENIED', msg,
      'check the source\'s credentials (or the role) and that it may sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on the queue', { cause: e });
  }
  return new FlowlogError('SOURCE_UNAVAILABLE', msg, 'check that the SQS endpoint is reachable from here; flowlog keeps trying', { cause: e });
}

export class SqsSource {
  private state: SourceHealth = { state: 'starting' };
  private readonly log: Logger;
  private readonly sleeper = new Sleeper();
  private stopping = false;
  private polling: AbortController | null = null;
  private loop: Promise<void> = Promise.resolve();

  private readonly calls: SqsCalls;

  constructor(private readonly opts: SqsSourceOptions, private readonly sink: SqsSink) {
    this.log = log.child({ source: opts.name ?? 'sqs' });
    this.calls = new SqsCalls(opts.client, opts.lean === false ? { lean: false } : {});
  }

  health(): SourceHealth { return this.state; }

  /** Starts the receive loop in the background; never throws. */
  async start(): Promise<void> {
    this.loop = this.run();
  }

  /** Graceful stop: the receive in hand is stored and its messages deleted; a long poll waiting is cut short. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    this.polling?.abort();
    await this.loop;
    this.calls.destroy();
    this.setState({ state: 'stopped' });
  }

  private async run(): Promise<void> {
    let failures = 0;
    let checked = false;
    // the receive being stored while the next is received and its objects fetched: two in hand at most
    let storing: { done: Promise<void>; deleted: Promise<void>; settled: boolean } | null = null;
    // the deletes of stored rounds, which the next gathering does not wait for: two rounds' at most
    const deleting: Promise<void>[] = [];
    while (!this.stopping) {
      try {
        if (!checked) { await this.checkQueue(); checked = true; }
        // a round in hand that failed already says so now, not after the next long poll
        if (storing?.settled) { const s = storing; storing = null; deleting.push(s.deleted); await s.done; }
        await this.sink.recover?.();
        if (this.stopping) break;
        while (deleting.length > 1) await deleting.shift();
        const messages = await this.gather();
        if (this.stopping && messages.length === 0) break;
        failures = 0;
        this.setState({ state: 'running' });
        const before = storing;
        storing = null;
        if (messages.length > 0) {
          const s = { ...this.handle(messages), settled: false };
          s.done.then(() => { s.settled = true; }, () => { s.settled = true; }); // the failure surfaces where it is awaited
          storing = s;
        }
        if (before) { deleting.push(before.deleted); await before.done; }
      } catch (e) {
        if (this.stopping && (e as Error).name === 'AbortError') break;
        const err = sqsError(e, this.opts.queueUrl);
        const waitMs = retryDelayMs(failures++);
        this.setState({ state: 'failed', error: { code: err.code, message: err.message, at: new Date().toISOString() } });
        if (this.opts.onError) this.opts.onError(err, waitMs);
        else this.log.error(failedEvent('source'), { ...errorFields(err), retry_in_ms: waitMs });
        if (this.stopping) break;
        await this.sleeper.sleep(waitMs);
      }
    }
    // stopping: the receive in hand is stored and its messages deleted
    if (storing) {
      const s = storing as { done: Promise<void>; deleted: Promise<void> };
      deleting.push(s.deleted);
      await s.done.catch((e: unknown) => {
        const err = sqsError(e, this.opts.queueUrl);
        if (this.opts.onError) this.opts.onError(err, 0); else this.log.error(failedEvent('source'), errorFields(err));
      });
    }
    await Promise.all(deleting);
  }

  /**
   * Once, before the first receive: the queue is there (a typo fails here, with
   * its code), and has a redrive policy; without one a message whose object
   * never arrives is received again for the queue's whole retention period.
   */
  private async checkQueue(): Promise<void> {
    const r = await this.opts.client.send(new GetQueueAttributesCommand({ QueueUrl: this.opts.queueUrl, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }));
    const redrive = r.Attributes?.RedrivePolicy;
    if (!redrive) {
      this.log.warn(EVENTS.sqsNoRedrive, { queue: this.opts.queueUrl, hint: 'give the queue a redrive policy (a dead-letter queue and maxReceiveCount): a message whose object S3 never delivers is received again and again until the queue\'s retention drops it' });
      return;
    }
    let maxReceiveCount: unknown;
    try { maxReceiveCount = (JSON.parse(redrive) as { maxReceiveCount?: unknown }).maxReceiveCount; } catch { maxReceiveCount = redrive; }
    this.log.info(EVENTS.sqsQueue, { queue: this.opts.queueUrl, max_receive_count: Number(maxReceiveCount), visibility_timeout: this.opts.visibilitySeconds });
  }

  /**
   * A long poll, then, while receives come back full, more without waiting, up
   * to roundMessages: a backlog is stored in rounds of many objects (one insert
   * for many small ones), a trickle as it arrives.
   */
  private async gather(): Promise<SqsMessage[]> {
    const messages = await this.receive(this.opts.waitSeconds);
    const per = this.opts.maxMessages;
    const most = Math.max(this.opts.roundMessages ?? 0, per);
    // the heartbeat starts with the round: the first messages must not reach their visibility timeout while more are received
    const until = performance.now() + (this.opts.visibilitySeconds * 1000) / 3;
    for (let full = messages.length >= per; full && messages.length < most && !this.stopping && performance.now() < until;) {
      // several receives at once: one at a time, a round of 1000 waited ~0.3-1.2 s on 100 round trips (docs/performance.md)
      const left = most - messages.length;
      const asks = Array.from({ length: Math.min(RECEIVES_AT_ONCE, Math.ceil(left / per)) }, (_, i) => Math.min(per, left - i * per));
      // a failure here leaves the messages in hand to be stored; the next receive reports it
      const got = await Promise.all(asks.map((n) => this.receive(0, n).catch(() => [] as SqsMessage[])));
      for (const g of got) messages.push(...g);
      // any one of them full says there is more (SQS's short polls sample its servers, so one may come back short)
      full = got.some((g, i) => g.length >= asks[i]!);
    }
    return messages;
  }

  private async receive(waitSeconds: number, max = this.opts.maxMessages): Promise<SqsMessage[]> {
    const ac = new AbortController();
    if (waitSeconds > 0) this.polling = ac; // the long poll, which stop() cuts short; the others return at once
    try {
      const r = await this.calls.receive({
        QueueUrl: this.opts.queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: this.opts.visibilitySeconds, MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }, ac.signal);
      return (r.Messages ?? []).filter((m): m is Message & { MessageId: string; ReceiptHandle: string } => Boolean(m.MessageId && m.ReceiptHandle))
        .map((m) => ({ id: m.MessageId, receipt: m.ReceiptHandle, body: m.Body ?? '', receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1) }));
    } finally { if (this.polling === ac) this.polling = null; }
  }

  /**
   * Stores a receive with its visibility extended meanwhile (done), then
   * deletes what the sink says is stored (deleted: never fails, a refused
   * delete is logged, and the message's next delivery finds it stored).
   */
  private handle(messages: readonly SqsMessage[]): { done: Promise<void>; deleted: Promise<void> } {
    const stored = this.store(messages);
    const deleted = stored.then((done) => this.delete(messages.filter((m) => done.has(m.id))), () => undefined);
    return { done: stored.then(() => undefined), deleted };
  }

  private async store(messages: readonly SqsMessage[]): Promise<ReadonlySet<string>> {
    let beating: Promise<void> = Promise.resolve();
    const every = Math.max(200, (this.opts.visibilitySeconds * 1000) / 3);
    const timer = setInterval(() => { beating = beating.then(() => this.extend(messages)); }, every);
    try {
      return await this.sink.storeMessages(messages);
    } finally {
      clearInterval(timer);
      await beating;
    }
  }

  /** The heartbeat: every message in hand hidden for another full timeout. A refusal is logged: the ledger makes a second delivery harmless. */
  private extend(messages: readonly SqsMessage[]): Promise<void> {
    return inTens(messages, async (part) => {
      try {
        const r = await this.calls.changeVisibilityBatch({
          QueueUrl: this.opts.queueUrl,
          Entries: part.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receipt, VisibilityTimeout: this.opts.visibilitySeconds })),
        });
        for (const f of r.Failed ?? []) this.log.warn(EVENTS.sqsVisibilityFailed, { message: part[Number(f.Id)]?.id, code: f.Code, reason: f.Message });
      } catch (e) {
        this.log.warn(EVENTS.sqsVisibilityFailed, { messages: part.length, ...errorFields(sqsError(e, this.opts.queueUrl)) });
      }
    });
  }

  /** Deletes stored messages; one that cannot be deleted comes back, and its objects are skipped then (the ledger has them). */
  private delete(messages: readonly SqsMessage[]): Promise<void> {
    return inTens(messages, async (part) => {
      try {
        const r = await this.calls.deleteBatch({
          QueueUrl: this.opts.queueUrl, Entries: part.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receipt })),
        });
        for (const f of r.Failed ?? []) this.log.warn(EVENTS.sqsDeleteFailed, { message: part[Number(f.Id)]?.id, code: f.Code, reason: f.Message });
      } catch (e) {
        this.log.warn(EVENTS.sqsDeleteFailed, { messages: part.length, ...errorFields(sqsError(e, this.opts.queueUrl)) });
      }
    });
  }

  private setState(h: SourceHealth): void {
    const changed = h.state !== this.state.state || h.error?.code !== this.state.error?.code;
    this.state = h;
    if (changed) this.opts.onHealth?.(h);
  }
}

/** Batch calls take 10 messages: a round's messages in tens, a few calls at once (a round may hold hundreds). */
async function inTens(messages: readonly SqsMessage[], call: (part: readonly SqsMessage[]) => Promise<void>): Promise<void> {
  const parts: SqsMessage[][] = [];
  for (let i = 0; i < messages.length; i += 10) parts.push(messages.slice(i, i + 10));
  let next = 0;
  const worker = async () => { for (let k = next++; k < parts.length; k = next++) await call(parts[k]!); };
  await Promise.all(Array.from({ length: Math.min(parts.length, CALLS_AT_ONCE) }, worker));
}

const CALLS_AT_ONCE = 8;
/** Receives of a round's gathering in flight at once (each of up to maxMessages). */
const RECEIVES_AT_ONCE = 4;
