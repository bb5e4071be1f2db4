-- Access for a ClickHouse server (the embedded engine has no users): apply with
-- `flowlog migrate --roles` as an administrator, in the database flowlog uses.
-- Then: GRANT flowlog_writer TO <flowlog's user>; GRANT flowlog_analyst TO <people>.
-- Migrations (DDL) are the administrator's alone: neither role may create,
-- alter or drop anything, and read commands (sql, investigate, report) never
-- migrate (they stop with SCHEMA_BEHIND when `flowlog migrate` is due).
-- services/store/test/roles.test.ts derives the tables each command reads and
-- writes from the code and checks these grants against them: a new table needs
-- its grants here.

-- Analysts: read every table and view users query, change nothing, and stay
-- within limits (readonly = 2 still lets a client set per-query settings such as
-- output formats). Views are read with the reader's rights, so a view's tables
-- are granted too.
CREATE SETTINGS PROFILE IF NOT EXISTS flowlog_analyst_profile SETTINGS
    readonly = 2,
    max_execution_time = 300,
    max_memory_usage = 10000000000,
    max_rows_to_read = 20000000000,
    max_result_rows = 1000000,
    result_overflow_mode = 'break',
    max_concurrent_queries_for_user = 8;
CREATE ROLE IF NOT EXISTS flowlog_analyst SETTINGS PROFILE 'flowlog_analyst_profile';
GRANT SELECT ON flows TO flowlog_analyst;
GRANT SELECT ON flows_1m TO flowlog_analyst;
GRANT SELECT ON egress_1h TO flowlog_analyst;
GRANT SELECT ON flows_rejected TO flowlog_analyst;
GRANT SELECT ON anomalies TO flowlog_analyst;
GRANT SELECT ON anomalies_current TO flowlog_analyst;
GRANT SELECT ON policy_violations TO flowlog_analyst;
GRANT SELECT ON ipam_prefixes TO flowlog_analyst;
GRANT SELECT ON ipam_current TO flowlog_analyst;
GRANT SELECT ON ingest_ledger TO flowlog_analyst;
GRANT SELECT ON source_cursors TO flowlog_analyst;
GRANT SELECT ON leases TO flowlog_analyst;
GRANT SELECT ON schema_migrations TO flowlog_analyst;

-- The writer flowlog runs as (ingest, run, detect, report): insert into every
-- table flowlog writes, and read them all, no DDL. flows_1m and egress_1h are
-- filled by materialized views on each insert into flows, as the inserting user.
CREATE ROLE IF NOT EXISTS flowlog_writer;
GRANT SELECT, INSERT ON flows TO flowlog_writer;
GRANT SELECT, INSERT ON flows_1m TO flowlog_writer;
GRANT SELECT, INSERT ON egress_1h TO flowlog_writer;
GRANT SELECT, INSERT ON flows_rejected TO flowlog_writer;
GRANT SELECT, INSERT ON ingest_ledger TO flowlog_writer;
GRANT SELECT, INSERT ON anomalies TO flowlog_writer;
GRANT SELECT ON anomalies_current TO flowlog_writer;
GRANT SELECT, INSERT ON policy_violations TO flowlog_writer;
GRANT SELECT, INSERT ON ipam_prefixes TO flowlog_writer;
GRANT SELECT ON ipam_current TO flowlog_writer;
GRANT SELECT, INSERT ON source_cursors TO flowlog_writer;
GRANT SELECT, INSERT ON leases TO flowlog_writer;
GRANT SELECT ON schema_migrations TO flowlog_writer;
-- a new IPAM version reloads the ipam_trie dictionary (a global privilege in ClickHouse)
GRANT SYSTEM RELOAD DICTIONARY ON *.* TO flowlog_writer;
