-- How the engine writes and merges flows, measured (docs/performance.md, The
-- store step). Merging is most of the write cost: 7 inserts of 262k rows cost
-- ~3.3 s of CPU to write and ~5 s more to merge into 2 parts with the defaults.
-- min_bytes_for_wide_part: inserts and their first merges stay compact parts
-- (one file per part, merged without a pass per column); parts past 256 MiB
-- uncompressed are written wide, as before, for column reads.
-- merge_selector_base: merge ~20 parts of a size at once instead of ~5, so a
-- flow is rewritten fewer times on its way to a large part (more parts stay
-- active meanwhile; far below parts_to_delay_insert).
ALTER TABLE flows MODIFY SETTING min_bytes_for_wide_part = 268435456, merge_selector_base = 20;
