-- @tracepack/usage-collector: the report's roll-ups keep test instances too, marked, so that
-- `tracepack usage report --include-test` (includeTest) can count them; the default report
-- still counts production only (`production` true). A new migration rather than an edit of
-- 900: a database that has 900 gets the change here.
--
-- `production` is what 900 filtered on: instances.identified for the daily tables, identified
-- with an installation for the per-installation tables. A test instance has no installation:
-- in the per-installation tables it stands for one of its own, 'instance:<its UUID>'.
--
-- The roll-ups are a cache: they are emptied here and rebuilt by the next report (or
-- rollUpUsage()) from the raw tables, test instances included.

TRUNCATE report_endpoint_daily, report_endpoint_installations, report_feature_daily, report_feature_installations;
UPDATE report_rollup_state SET rolled_until = '-infinity';

ALTER TABLE report_endpoint_daily ADD COLUMN production boolean NOT NULL DEFAULT true; -- false: test instances (CI, local, warming up)
ALTER TABLE report_endpoint_daily DROP CONSTRAINT report_endpoint_daily_pkey;
ALTER TABLE report_endpoint_daily ADD PRIMARY KEY (day, production, service_version, endpoint, method, status_code, duration_bounds_ms);

ALTER TABLE report_endpoint_installations ADD COLUMN production boolean NOT NULL DEFAULT true; -- false: installation_id is 'instance:<uuid>' of a test instance
ALTER TABLE report_endpoint_installations DROP CONSTRAINT report_endpoint_installations_pkey;
ALTER TABLE report_endpoint_installations ADD PRIMARY KEY (endpoint, method, installation_id, production);

ALTER TABLE report_feature_daily ADD COLUMN production boolean NOT NULL DEFAULT true;
ALTER TABLE report_feature_daily DROP CONSTRAINT report_feature_daily_pkey;
ALTER TABLE report_feature_daily ADD PRIMARY KEY (day, production, source, feature);

ALTER TABLE report_feature_installations ADD COLUMN production boolean NOT NULL DEFAULT true;
ALTER TABLE report_feature_installations DROP CONSTRAINT report_feature_installations_pkey;
ALTER TABLE report_feature_installations ADD PRIMARY KEY (source, feature, installation_id, production);
