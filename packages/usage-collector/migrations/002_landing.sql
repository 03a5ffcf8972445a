-- @tracepack/usage-collector: the landing table. A new migration (001 is left as it is, so a
-- database created by it migrates forward).
--
-- Storing a report used to turn it into ~70 rows of the analytical tables inside the request
-- (one statement, indexes, foreign keys, conflict checks): 2.5 ms of PostgreSQL CPU per report,
-- which capped one 2-core machine at a few hundred reports a second. Now a request appends one
-- row here and commits before the collector answers 200: the report, already through the
-- privacy filter, as the JSON of the rows it turns into. A roll-up (rollUpLanded(), run by
-- whichever collector holds an advisory lock, on a timer and before every report) takes many
-- landed rows at once, merges them, stores them into the analytical tables with the same
-- statement and keys as before (so a report delivered twice is still stored once: the keys of
-- the analytical tables decide, not this table), and deletes them, in one transaction.
--
-- No unique key here on purpose: a series' latency and size histograms may arrive in separate
-- requests, and a Collector tier may batch a retried report with new ones; every delivery is
-- kept until the roll-up merges them by the analytical keys.

CREATE TABLE landed_reports (
  id bigserial PRIMARY KEY,                  -- arrival order: the roll-up merges in this order (first copy wins, as before)
  received_at timestamptz NOT NULL DEFAULT now(), -- when the collector acknowledged it
  batch text NOT NULL                        -- the rows one request turns into (StoreBatch as JSON), after the privacy filter; text: not parsed at ingest
);
-- The JSON is already compact and mostly unique numbers; compressing it costs more CPU at
-- ingest than the disk it saves for a row that lives seconds.
ALTER TABLE landed_reports ALTER COLUMN batch SET STORAGE EXTERNAL;
COMMENT ON TABLE landed_reports IS 'Acknowledged requests not rolled up into the analytical tables yet (privacy-filtered rows as JSON); emptied by the roll-up.';

-- The instance_id foreign keys go: they cost about a quarter of the roll-up's PostgreSQL time
-- (0.25 of 1.1 ms per report, measured), and the only writer, the roll-up, inserts a report's
-- instance in the same statement as its rows, so they never caught anything.
ALTER TABLE reports DROP CONSTRAINT reports_instance_id_fkey;
ALTER TABLE endpoint_usage DROP CONSTRAINT endpoint_usage_instance_id_fkey;
ALTER TABLE request_counts DROP CONSTRAINT request_counts_instance_id_fkey;
ALTER TABLE feature_usage DROP CONSTRAINT feature_usage_instance_id_fkey;
ALTER TABLE user_activity DROP CONSTRAINT user_activity_instance_id_fkey;
ALTER TABLE runtime_stats DROP CONSTRAINT runtime_stats_instance_id_fkey;
ALTER TABLE keepalives DROP CONSTRAINT keepalives_instance_id_fkey;
