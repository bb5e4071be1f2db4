/**
 * Every metric flowlog exports, in one list: `standardMetrics()` defines them
 * from here, events.ts counts into them by these names (checked at compile
 * time), and a test holds docs/operations-telemetry.md to the same list.
 *
 * Prometheus conventions: a `flowlog_` prefix, counters end in `_total`,
 * durations are histograms in seconds (`_seconds`), a Unix time is a gauge
 * ending in `_timestamp_seconds`.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const METRICS = [
  { name: 'flowlog_build_info', type: 'gauge', help: 'always 1: the running flowlog version and Node.js version', labels: ['version', 'node'] },
  { name: 'flowlog_messages_total', type: 'counter', help: 'Kafka or SQS messages read, by source', labels: ['source'] },
  { name: 'flowlog_flows_stored_total', type: 'counter', help: 'flows durably stored, by source', labels: ['source'] },
  { name: 'flowlog_records_rejected_total', type: 'counter', help: 'records quarantined (flows_rejected), by source and reject reason', labels: ['source', 'reason'] },
  { name: 'flowlog_objects_total', type: 'counter', help: 'objects ingested, by source', labels: ['source'] },
  { name: 'flowlog_objects_unfinished_total', type: 'counter', help: 'objects the source could not deliver to the end (left for the next round), by source', labels: ['source'] },
  { name: 'flowlog_batches_total', type: 'counter', help: 'batches stored, by source', labels: ['source'] },
  { name: 'flowlog_rounds_total', type: 'counter', help: 'rounds stored (a Kafka fetch-to-commit, an S3 or local listing), by source', labels: ['source'] },
  { name: 'flowlog_store_retries_total', type: 'counter', help: 'store calls retried after a transient failure', labels: [] },
  { name: 'flowlog_errors_total', type: 'counter', help: 'errors logged, by component and error code', labels: ['component', 'code'] },
  { name: 'flowlog_ipam_reloads_total', type: 'counter', help: 'IPAM reloads, by result: loaded | unchanged | rejected (the version in use stays)', labels: ['result'] },
  { name: 'flowlog_findings_total', type: 'counter', help: 'detector findings opened and resolved, by detector and change', labels: ['detector', 'change'] },
  { name: 'flowlog_reports_total', type: 'counter', help: 'scheduled reports, by result: delivered | failed', labels: ['result'] },
  { name: 'flowlog_schedule_claims_total', type: 'counter', help: 'scheduled detector and report ticks claimed, by job and result: won (run here) | lost (another instance runs it)', labels: ['job', 'result'] },
  { name: 'flowlog_lease_held', type: 'gauge', help: '1 while this instance holds a lease (an S3 prefix poll), by lease', labels: ['lease'] },
  { name: 'flowlog_role', type: 'gauge', help: 'always 1: what this flowlog run instance does (ingest | detect | all)', labels: ['role'] },
  { name: 'flowlog_source_up', type: 'gauge', help: '1 while a source runs, 0 while it is failed (and retrying) or stopped', labels: ['source'] },
  { name: 'flowlog_consumer_lag', type: 'gauge', help: 'Kafka messages behind the last stored round, by source and partition', labels: ['source', 'partition'] },
  { name: 'flowlog_store_waiting', type: 'gauge', help: '1 while the store is failing and flowlog retries (backpressure: consumption waits)', labels: [] },
  { name: 'flowlog_backpressure', type: 'gauge', help: '1 while a Kafka source has paused its partitions because the store is behind, by source', labels: ['source'] },
  { name: 'flowlog_ipam_entries', type: 'gauge', help: 'prefixes in the IPAM version in use', labels: [] },
  { name: 'flowlog_newest_flow_timestamp_seconds', type: 'gauge', help: 'Unix time of the newest flow stored, by source (freshness: alert on time() minus this)', labels: ['source'] },
  { name: 'flowlog_batch_rows', type: 'histogram', help: 'flows per insert, by source', labels: ['source'], buckets: [1_000, 10_000, 50_000, 100_000, 200_000, 300_000, 1_000_000] },
  { name: 'flowlog_insert_seconds', type: 'histogram', help: 'time to store one batch (flows, quarantine, ledger), by source', labels: ['source'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
  { name: 'flowlog_round_duration_seconds', type: 'histogram', help: 'time for one round (Kafka: fetch to commit; S3 and local: list to last object stored), by source', labels: ['source'], buckets: SECONDS },
  { name: 'flowlog_detect_duration_seconds', type: 'histogram', help: 'time for one scheduled detector run', labels: [], buckets: SECONDS },
] as const satisfies readonly MetricSpec[];

export type MetricName = (typeof METRICS)[number]['name'];
