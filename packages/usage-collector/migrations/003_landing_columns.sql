-- @tracepack/usage-collector: landed rows in the form the roll-up's statement takes them.
-- A new migration (002 is left as it is, so a database created by it migrates forward).
--
-- With 002 a landed row held its rows as one JSON document, and the roll-up parsed it in Node,
-- merged 200 of them, and formatted every value again as the array literals of its statement:
-- about 0.5 ms of the roll-up's Node CPU per report, a fifth of all the CPU a report costs. Now
-- the collector formats the array literals once, when it lands the report (about as costly as
-- the JSON was), into `columns`; the roll-up concatenates those of many rows as text and merges
-- only `batch`, now the small JSON of the rows that need merging across requests (the
-- report's installation and instance) and the (instance, period) of its endpoint series.
--
-- Rows landed by a collector of the previous version keep `columns` NULL and `batch` the whole
-- batch as JSON; the roll-up converts them (an acknowledged report is never lost to an upgrade).
-- Still text, not arrays: PostgreSQL parses the literals once, in the roll-up's statement, and
-- landing stays one INSERT of two strings.


ALTER TABLE landed_reports ADD COLUMN columns text;
-- Kept in the row, compressed: the literals repeat (times, ids, bounds) and lz4 makes 21 KiB
-- about 2.5, so a landed row is one heap tuple instead of a dozen TOAST chunks and their index
-- entries. Measured per landed report on PostgreSQL's side: the INSERT 0.08-0.10 ms instead of
-- 0.15-0.20 (out of line, uncompressed, as 002 stored the JSON), an eighth of the disk and WAL.
-- `batch` (under 1 KiB now) stays in the row too. pglz (a server built without lz4) costs
-- about what out of line did, so that setting is simply skipped there.
ALTER TABLE landed_reports ALTER COLUMN columns SET STORAGE MAIN;
ALTER TABLE landed_reports ALTER COLUMN batch SET STORAGE MAIN;
DO $$
BEGIN
  ALTER TABLE landed_reports ALTER COLUMN columns SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
  RAISE NOTICE 'lz4 is not available: landed rows are compressed with pglz';
END
$$;
COMMENT ON COLUMN landed_reports.batch IS 'With columns: the installation, instance and endpoint series'' (instance, period) keys as JSON; without (landed before 003): the whole batch as JSON.';
COMMENT ON COLUMN landed_reports.columns IS 'One PostgreSQL array literal per column of each insert-only table of the batch (STORE_ARRAYS_SQL''s parameters), each as its length, a colon and itself; NULL for a row landed before 003.';
