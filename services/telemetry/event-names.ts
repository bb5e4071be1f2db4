/**
 * Every log event flowlog writes, by name, in one place: alerting and tests
 * match on these strings, so a rename is a change to announce.
 */
export const EVENTS = {
  flowsStored: 'flows.stored',
  recordsRejected: 'records.rejected',
  sourceStarted: 'source.started',
  sourceStopped: 'source.stopped',
  sourceRound: 'source.round',
  sourceUnfinished: 'source.unfinished',
  sourcePaused: 'source.paused',
  sourceResumed: 'source.resumed',
  kafkaRound: 'kafka.round',
  messagesRead: 'kafka.messages',
  /** A line from the Kafka client library itself (kafka-log.ts). */
  kafkaClient: 'kafka.client',
  /** A Kafka round's stored offsets not committed to the group (a rebalance): the next commit covers them. */
  kafkaCommitFailed: 'kafka.commit_failed',
  /** A Kafka round failed after its batch was handed back: its partition is sought back and the round retried. */
  kafkaRoundFailed: 'kafka.round_failed',
  /** A replayed intent's range differs from what was fetched. */
  kafkaReplayMismatch: 'kafka.replay_mismatch',
  /** An SQS source's queue at start: its redrive policy's maxReceiveCount and the visibility timeout used. */
  sqsQueue: 'sqs.queue',
  /** An SQS source's queue has no redrive policy: a message whose object never arrives is received until the retention drops it. */
  sqsNoRedrive: 'sqs.no_redrive',
  /** An SQS heartbeat could not extend a message's visibility: it may reach another consumer (the ledger skips what is stored). */
  sqsVisibilityFailed: 'sqs.visibility_failed',
  /** A stored SQS message could not be deleted: it comes back, and its objects are skipped then. */
  sqsDeleteFailed: 'sqs.delete_failed',
  /** An SQS message kept (not deleted) because S3 could not deliver an object it names: it returns after its visibility timeout. */
  sqsMessageKept: 'sqs.message_kept',
  /** An SQS round left pending (a crash, a failed insert) is stored again from its intent, before the next round. */
  sqsRoundReplayed: 'sqs.round_replayed',
  /** An object of a replayed SQS round is gone or replaced: the replay goes on without it. */
  sqsReplayMismatch: 'sqs.replay_mismatch',
  /** A round of an SQS queue or S3 poll was cut short and no configured source owns its stream: nothing replays it. */
  roundOrphaned: 'round.orphaned',
  /** Two sources of one run may deliver the same S3 objects and do not cut their batches alike: an object may be stored twice. */
  sourcesOverlap: 'sources.overlap',
  /** An object a round names could not be delivered by S3: the round is run again after a wait. */
  sourceUnavailable: 'source.unavailable',
  configOverride: 'config.override',
  configDeprecated: 'config.deprecated',
  /** Once per process, when the first embedded store has migrated: the engine's start-up pages released (released_mb), or why not (skipped). */
  storeEnginePages: 'store.engine_pages',
  /** A setting the configuration left unset, chosen for this process: memory.profile minimal under a memory limit (limit_mb, from). */
  configAuto: 'config.auto',
  storeRetry: 'store.retry',
  storeRecovered: 'store.recovered',
  ipamLoaded: 'ipam.loaded',
  ipamUnchanged: 'ipam.unchanged',
  ipamRejected: 'ipam.rejected',
  detectRun: 'detect.run',
  reportDelivered: 'report.delivered',
  webhookRetry: 'report_webhook_retry',
  /** This instance won a scheduled job's tick and runs it (debug). */
  scheduleClaimed: 'schedule.claimed',
  /** Another instance holds a scheduled job's tick: not run here (debug). */
  scheduleSkipped: 'schedule.skipped',
  /** This instance took a term lease (an S3 poll): it polls now. */
  leaseAcquired: 'lease.acquired',
  /** This instance no longer holds a term lease: another instance polls, or will once its term begins. */
  leaseReleased: 'lease.released',
  signal: 'signal',
  shutdownStarted: 'shutdown.started',
  shutdownDone: 'shutdown.done',
} as const;

/** What failed, for `<component>.failed` events and flowlog_errors_total{component}. */
export const COMPONENTS = ['source', 'store', 'kafka', 'ipam', 'detect', 'report', 'run'] as const;
export type Component = (typeof COMPONENTS)[number];
export const failedEvent = (c: Component) => `${c}.failed` as const;
