-- Findings of the detectors (services/detect). One row per update: the same
-- (detector, entity, first_seen) episode is rewritten as the detector sees it
-- again, and ReplacingMergeTree keeps the newest (version = update time, ms).
-- Read it through anomalies_current (FINAL), never the raw table.
CREATE TABLE IF NOT EXISTS anomalies
(
    detector      LowCardinality(String) COMMENT 'egress_spike | egress_ramp | new_destination | unusual_port | segmentation | scan',
    entity        String COMMENT 'what the finding is about, e.g. owner=payments, src=10.1.2.3, pci->dev:tcp/5432',
    owner         String COMMENT 'who to route it to ('''' when unknown)',
    window_start  DateTime64(3, 'UTC'),
    window_end    DateTime64(3, 'UTC'),
    severity      LowCardinality(String) COMMENT 'info | low | medium | high | critical',
    score         Float64,
    observed      Float64,
    expected      Nullable(Float64),
    unit          LowCardinality(String),
    summary       String,
    top_flows     String COMMENT 'JSON array of the flows behind it',
    evidence_sql  String COMMENT 'a ready-to-run query for the flows behind it',
    first_seen    DateTime64(3, 'UTC'),
    last_seen     DateTime64(3, 'UTC'),
    detected_at   DateTime64(3, 'UTC') COMMENT 'when a detector run first reported this episode (detection latency = detected_at - first_seen)',
    status        LowCardinality(String) COMMENT 'open | resolved | suppressed',
    labels        Map(String, String),
    version       UInt64 COMMENT 'update time in ms: the newest row of an episode wins'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(first_seen)
ORDER BY (detector, entity, first_seen);

CREATE VIEW IF NOT EXISTS anomalies_current AS SELECT * EXCEPT (version) FROM anomalies FINAL;

-- Segmentation policy decisions made in the hot path (services/policy): every flow
-- a deny or alert rule matched, as it arrives. ACCEPTed ones are breaches,
-- REJECTed ones attempts.
CREATE TABLE IF NOT EXISTS policy_violations
(
    time          DateTime64(3, 'UTC'),
    src_addr      Nullable(IPv6),
    dst_addr      Nullable(IPv6),
    src_segment   LowCardinality(String),
    dst_segment   LowCardinality(String),
    dst_port      Nullable(UInt16),
    protocol      Nullable(UInt8),
    action        LowCardinality(String) COMMENT 'ACCEPT | REJECT (what the network did)',
    kind          LowCardinality(String) COMMENT 'breach (accepted) | attempt (rejected)',
    decision      LowCardinality(String) COMMENT 'deny | alert (what the policy says)',
    rule          String COMMENT 'the rule that decided',
    observe       UInt8 COMMENT '1 when the policy runs in observe mode',
    bytes         UInt64,
    packets       UInt64,
    src_owner     String,
    dst_owner     String,
    source        String
)
ENGINE = MergeTree
PARTITION BY toDate(time)
ORDER BY (time, src_segment, dst_segment)
SETTINGS non_replicated_deduplication_window = 10000;
