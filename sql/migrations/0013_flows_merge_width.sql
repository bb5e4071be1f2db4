-- How many parts one merge of flows may take at once (the engine's default:
-- 100). Over a long ingest the inserts outrun the merges (on 2 cores, 200+
-- active parts after 20M flows in 65,536-row inserts) and the engine then picks
-- one merge of ~100 small parts, which held ~225 MB of read buffers beside the
-- three merges already running. 20 bounds each merge's memory; measured in
-- docs/performance.md (Memory against speed).
ALTER TABLE flows MODIFY SETTING max_parts_to_merge_at_once = 20;
