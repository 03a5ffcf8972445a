-- @tracepack/usage-collector: the report's daily roll-ups (`tracepack usage report`,
-- buildUsageReport()).
--
-- A month of raw rows of thousands of installations is hundreds of millions of endpoint
-- series; a report reading them would take minutes. The report reads these small tables
-- instead: per UTC day, service version, endpoint, method and status (summed latency
-- histograms), and per endpoint or feature and installation (first and last day used).
--
-- They are a cache of the raw tables, filled by the report itself (rollUpUsage()): raw rows
-- are rolled up once, in order of `received_at`, up to `report_rollup_state.rolled_until`,
-- which stays `lag` (10 minutes) behind now() so that a collector transaction still open
-- cannot commit rows timed before it. Rows received since are rolled up again at each report
-- inside a transaction that is rolled back: the report is current, the cache only grows. Only
-- production instances (instances.identified) count; their version is instances.service_version.
-- Dropping these tables and the state row (rolled_until back to -infinity) rebuilds them.
--
-- Endpoints are stored as the report shows them: route templates as sent, every path that
-- carries a hashed segment (64 hex) as '(hashed paths)' (they are per instance, never shared),
-- the overflow series as '(overflow)'.

CREATE TABLE report_rollup_state (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  rolled_until timestamptz NOT NULL DEFAULT '-infinity'  -- raw rows with received_at before it are in the roll-ups
);
INSERT INTO report_rollup_state DEFAULT VALUES;

CREATE TABLE report_endpoint_daily (
  day date NOT NULL,                          -- UTC day of the period's end
  service_version text NOT NULL,              -- instances.service_version, '' when unknown
  endpoint text NOT NULL,                     -- route template, '(hashed paths)' or '(overflow)'
  method text NOT NULL,
  status_code integer NOT NULL,
  duration_bounds_ms double precision[] NOT NULL, -- bucket bounds ('{}' when none were sent)
  responses bigint NOT NULL,                  -- responses: size_count (every response), else duration_count
  duration_sum_ms double precision NOT NULL,
  duration_max_ms double precision,           -- slowest response, when sent
  duration_counts bigint[] NOT NULL,          -- summed bucket counts (bounds + 1) of the timed responses (a sample)
  PRIMARY KEY (day, service_version, endpoint, method, status_code, duration_bounds_ms)
);
COMMENT ON TABLE report_endpoint_daily IS 'Report roll-up: responses and summed latency histograms per UTC day, version, endpoint, method and status.';

CREATE TABLE report_endpoint_installations (
  endpoint text NOT NULL,
  method text NOT NULL,
  installation_id text NOT NULL,
  first_day date NOT NULL,                    -- first UTC day with a response
  last_day date NOT NULL,                     -- last UTC day with a response
  PRIMARY KEY (endpoint, method, installation_id)
);
CREATE INDEX report_endpoint_installations_last_day ON report_endpoint_installations (last_day);
COMMENT ON TABLE report_endpoint_installations IS 'Report roll-up: first and last day each installation used an endpoint.';

CREATE TABLE report_feature_daily (
  day date NOT NULL,
  source text NOT NULL,                       -- tracepack | service
  feature text NOT NULL,                      -- '(overflow)' for the overflow series
  uses double precision NOT NULL,             -- summed values (service: uses)
  reports bigint NOT NULL,                    -- data points (tracepack: reports that carried it)
  PRIMARY KEY (day, source, feature)
);
COMMENT ON TABLE report_feature_daily IS 'Report roll-up: feature uses and reports per UTC day.';

CREATE TABLE report_feature_installations (
  source text NOT NULL,
  feature text NOT NULL,
  installation_id text NOT NULL,
  first_day date NOT NULL,
  last_day date NOT NULL,
  PRIMARY KEY (source, feature, installation_id)
);
CREATE INDEX report_feature_installations_last_day ON report_feature_installations (last_day);
COMMENT ON TABLE report_feature_installations IS 'Report roll-up: first and last day each installation reported a feature.';

-- The roll-up reads raw rows by arrival; histograms of more than 24 bounds (not what
-- @tracepack/usage sends) take a slower path, which finds them through the partial index.
CREATE INDEX report_endpoint_usage_received ON endpoint_usage (received_at);
CREATE INDEX report_endpoint_usage_long_histograms ON endpoint_usage (received_at) WHERE cardinality(duration_bounds_ms) > 24;
CREATE INDEX report_feature_usage_received ON feature_usage (received_at);
-- Deployments over time read instances by the days they ran.
CREATE INDEX report_instances_last_seen ON instances (last_seen);
