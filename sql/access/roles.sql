-- Access for a ClickHouse server (the embedded engine has no users): apply with
-- `flowlog migrate --roles` as an administrator, in the database flowlog uses.
-- Then: GRANT flowlog_writer TO <flowlog's user>; GRANT flowlog_analyst TO <people>.

-- Analysts: read every flowlog table, change nothing, and stay within limits
-- (readonly = 2 still lets a client set per-query settings such as output formats).
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
GRANT SELECT ON flows_rejected TO flowlog_analyst;
GRANT SELECT ON ingest_ledger TO flowlog_analyst;

-- The writer flowlog runs as: insert and read its own tables, no DDL (migrations run as an administrator).
CREATE ROLE IF NOT EXISTS flowlog_writer;
GRANT SELECT, INSERT ON flows TO flowlog_writer;
GRANT SELECT, INSERT ON flows_rejected TO flowlog_writer;
GRANT SELECT, INSERT ON ingest_ledger TO flowlog_writer;
GRANT SELECT, INSERT ON flows_1m TO flowlog_writer;
GRANT SELECT ON schema_migrations TO flowlog_writer;
