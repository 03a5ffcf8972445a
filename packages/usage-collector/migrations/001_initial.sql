-- @tracepack/usage-collector, migration 001: the tables of the usage reports.
--
-- Applied at start by the collector, in order, each file in one transaction, recorded in
-- `schema_migrations` (version, name, applied_at), which the collector itself creates.
-- Names are stable: later changes come as new numbered files that add, never rename.
--
-- Conventions:
-- - Times are timestamptz (UTC, microseconds). `period_start` / `period_end` are the start and
--   end times of the OTLP delta data point (startTimeUnixNano / timeUnixNano), truncated to
--   microseconds; `received_at` is when the collector stored the row.
-- - Every per-period table has a unique key per instance, series and period: a report retried
--   after a timeout, or sent to two collectors behind a load balancer, is stored once
--   (INSERT ... ON CONFLICT DO NOTHING).
-- - Only what @tracepack/usage sends, after the collector's privacy filter: UUIDv4 instance
--   ids, hex SHA-256 installation / user / organization ids, route templates or hashed paths,
--   names and numbers. Values that look like an e-mail address, a token, a JWT, an IP address
--   or a long random string were dropped before storing and counted in `privacy_drops`.
-- - Test instances (CI, local, warming up) are stored too, marked: reports about deployments
--   filter on `instances.identified` (or `reports.identified` for the state at report time).

-- An installation: one deployment of a service, as the service declares it (its stable
-- values, e.g. its public URL, hashed); its instances are its starts and replicas.
CREATE TABLE installations (
  installation_id text PRIMARY KEY,          -- hex SHA-256 (64 lowercase hex) from tracepack.usage.installation.id
  first_seen timestamptz NOT NULL,           -- earliest period_start of any report of its instances
  last_seen timestamptz NOT NULL,            -- latest period_end of any report of its instances (their keep-alives: instances.last_seen, keepalives)
  CONSTRAINT installations_id_sha256 CHECK (installation_id ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE installations IS 'One row per installation (deployment): SHA-256 id, first and last seen.';

-- An instance: one start of a service process (service.instance.id, a UUIDv4 per start).
-- Test or production: `identified` false means a test instance (CI, local run, or not up long
-- enough yet); once an instance sends an identified report it is production for good.
CREATE TABLE instances (
  instance_id uuid PRIMARY KEY,              -- service.instance.id (UUIDv4 drawn at each start)
  installation_id text REFERENCES installations (installation_id), -- its installation once identified; NULL while a test instance
  identified boolean NOT NULL DEFAULT false, -- true once any report said tracepack.usage.identified = true: a production instance
  test_reason text,                          -- while not identified: tracepack.usage.test_reason (ci, local, warming_up); NULL once identified
  ci_name text,                              -- tracepack.usage.ci.name (github_actions, gitlab, ..., ci) when a CI was detected
  usage_version text,                        -- tracepack.usage.version: version of @tracepack/usage that reports
  service_name text,                         -- service.name (traits, sent once identified)
  service_version text,                      -- service.version
  git_revision text,                         -- vcs.ref.head.revision (7 to 40 hex)
  build_time timestamptz,                    -- tracepack.usage.build_time
  deployment_environment text,               -- deployment.environment.name
  os_type text,                              -- os.type (linux, darwin, windows, ...)
  host_arch text,                            -- host.arch (amd64, arm64, ...)
  cpu_count integer,                         -- tracepack.usage.cpu.count
  runtime_name text,                         -- process.runtime.name (nodejs)
  runtime_version text,                      -- process.runtime.version (22.15.0, ...)
  first_seen timestamptz NOT NULL,           -- earliest period_start (or keep-alive time) seen
  last_seen timestamptz NOT NULL,            -- latest period_end (or keep-alive time) seen
  last_received_at timestamptz NOT NULL DEFAULT now() -- when the collector last stored something of it
);
CREATE INDEX instances_installation ON instances (installation_id);
COMMENT ON TABLE instances IS 'One row per instance (process start): installation, test or production, traits, first and last seen.';

-- A report: one OTLP ResourceMetrics of an instance (what one export of @tracepack/usage
-- carries, keep-alives excepted), with the identity it had at that time.
CREATE TABLE reports (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance that sent it
  period_start timestamptz NOT NULL,         -- earliest start time of its data points
  period_end timestamptz NOT NULL,           -- latest end time of its data points
  identified boolean NOT NULL,               -- tracepack.usage.identified in this report (false: test instance at that time)
  test_reason text,                          -- tracepack.usage.test_reason in this report
  installation_id text,                      -- tracepack.usage.installation.id in this report (NULL when not identified)
  service_version text,                      -- service.version in this report (NULL when not identified)
  data_points integer NOT NULL,              -- data points it carried (all metrics, known or not)
  received_at timestamptz NOT NULL DEFAULT now(), -- when the first copy was stored
  PRIMARY KEY (instance_id, period_start, period_end)
);
CREATE INDEX reports_period_end ON reports (period_end);
COMMENT ON TABLE reports IS 'One row per report (instance and period), stored once however often it is delivered: deployments over time.';

-- HTTP traffic per endpoint, method and status code, per period: the two histograms of
-- tracepack.usage.http.duration (ms) and tracepack.usage.http.response.size (bytes) of one
-- series share a row; each set of columns is filled once, by the first copy received.
-- Responses = duration_count (size_count is the same number when both arrived).
CREATE TABLE endpoint_usage (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance that served the requests
  period_start timestamptz NOT NULL,         -- delta period start
  period_end timestamptz NOT NULL,           -- delta period end
  endpoint text NOT NULL,                    -- tracepack.usage.endpoint: route template (/clients/:id) or hashed path; '' for the overflow series; a segment the filter dropped reads :dropped
  overflow boolean NOT NULL DEFAULT false,   -- otel.metric.overflow: requests to endpoints beyond sqa.max_endpoints, endpoint ''
  method text NOT NULL,                      -- http.request.method (GET, POST, ..., _OTHER)
  status_code integer NOT NULL,              -- http.response.status_code (0 when absent)
  duration_count bigint,                     -- responses in the period (histogram count)
  duration_sum_ms double precision,          -- sum of the response times, ms
  duration_min_ms double precision,          -- fastest response, ms (NULL when not sent)
  duration_max_ms double precision,          -- slowest response, ms (NULL when not sent)
  duration_bounds_ms double precision[],     -- explicit bucket upper bounds, ms (n bounds)
  duration_counts bigint[],                  -- bucket counts (n + 1: the last is above the last bound)
  size_count bigint,                         -- responses counted by the size histogram
  size_sum_bytes double precision,           -- bytes written for the responses (status line, headers, body)
  size_min_bytes double precision,           -- smallest response, bytes
  size_max_bytes double precision,           -- largest response, bytes
  size_bounds_bytes double precision[],      -- bucket upper bounds, bytes
  size_counts bigint[],                      -- bucket counts (n + 1)
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, endpoint, method, status_code, period_start, period_end)
);
CREATE INDEX endpoint_usage_period ON endpoint_usage (period_end);
COMMENT ON TABLE endpoint_usage IS 'Per instance, period, endpoint, method and status: responses, latency histogram (ms) and response size histogram (bytes).';

-- Requests received per method and period (tracepack.usage.http.requests): requests minus
-- responses are requests the client gave up on.
CREATE TABLE request_counts (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance that received them
  period_start timestamptz NOT NULL,         -- delta period start
  period_end timestamptz NOT NULL,           -- delta period end
  method text NOT NULL,                      -- http.request.method
  requests bigint NOT NULL,                  -- requests received in the period
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, method, period_start, period_end)
);
COMMENT ON TABLE request_counts IS 'Per instance, period and method: requests received (tracepack.usage.http.requests).';

-- Features in use: tracepack's own (a gauge: 1, or how many routes / ignored paths / captured
-- headers are configured) and the service's (a count of usage.feature() calls in the period).
CREATE TABLE feature_usage (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance that reported them
  period_start timestamptz NOT NULL,         -- delta period start (for the tracepack gauge: its collection)
  period_end timestamptz NOT NULL,           -- delta period end (for the gauge: when it was read)
  source text NOT NULL,                      -- 'tracepack' (tracepack.usage.tracepack.features) or 'service' (tracepack.usage.service.features)
  feature text NOT NULL,                     -- tracepack.feature: tracing.provider.jaeger, client.created, ...; '' for the overflow series
  value double precision NOT NULL,           -- tracepack: 1 or the configured count; service: uses in the period
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, source, feature, period_start, period_end),
  CONSTRAINT feature_usage_source CHECK (source IN ('tracepack', 'service'))
);
CREATE INDEX feature_usage_feature ON feature_usage (source, feature);
COMMENT ON TABLE feature_usage IS 'Per instance and period: tracepack features on (gauge) and service features used (count).';

-- User activity (tracepack.usage.activity): names, counts and salted SHA-256 ids only.
CREATE TABLE user_activity (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance that reported it
  period_start timestamptz NOT NULL,         -- delta period start
  period_end timestamptz NOT NULL,           -- delta period end
  activity text NOT NULL,                    -- tracepack.activity (login, ...); '' for the overflow series
  user_hash text NOT NULL DEFAULT '',        -- enduser.id.sha256 (64 hex, salted per installation); '' when none or dropped
  org_hash text NOT NULL DEFAULT '',         -- org.id.sha256 (64 hex); '' when none or dropped
  overflow boolean NOT NULL DEFAULT false,   -- otel.metric.overflow: series beyond the reporter's cardinality limit
  events bigint NOT NULL,                    -- activity events in the period
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, activity, user_hash, org_hash, overflow, period_start, period_end),
  CONSTRAINT user_activity_user_hash CHECK (user_hash = '' OR user_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT user_activity_org_hash CHECK (org_hash = '' OR org_hash ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE user_activity IS 'Per instance, period, activity and hashed user / organization: events.';

-- Runtime stats: heap used and RSS (bytes, at report time), GC runs and GC time per kind
-- (in the period), event loop delay p99 (ms, over the period).
CREATE TABLE runtime_stats (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance measured
  period_start timestamptz NOT NULL,         -- delta period start (gauges: as the SDK sets it)
  period_end timestamptz NOT NULL,           -- delta period end (gauges: when read)
  metric text NOT NULL,                      -- the metric name without 'tracepack.usage.': process.memory.heap_used, process.memory.rss, nodejs.gc.rate (collections per second), nodejs.gc.time (ms per second), nodejs.eventloop.delay.p99
  gc_kind text NOT NULL DEFAULT '',          -- nodejs.gc.kind (minor, major, incremental, weakcb, other) for the GC metrics, else ''
  value double precision NOT NULL,           -- bytes, count or ms, as the metric says
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, metric, gc_kind, period_start, period_end)
);
COMMENT ON TABLE runtime_stats IS 'Per instance and period: memory, GC and event loop stats.';

-- Keep-alives (tracepack.usage.keepalive, every sqa.keepalive_interval): the instance runs.
CREATE TABLE keepalives (
  instance_id uuid NOT NULL REFERENCES instances (instance_id), -- the instance still running
  at timestamptz NOT NULL,                   -- the keep-alive point's time
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, at)
);
CREATE INDEX keepalives_at ON keepalives (at);
COMMENT ON TABLE keepalives IS 'One row per keep-alive of an instance.';

-- What the collector's privacy filter dropped, by kind, per report (so that a retried report
-- is counted once). The dropped values themselves are never stored.
CREATE TABLE privacy_drops (
  instance_id uuid NOT NULL,                 -- the instance whose report carried it
  period_start timestamptz NOT NULL,         -- the report's period (as in reports; a keep-alive: its time)
  period_end timestamptz NOT NULL,           -- the report's period end
  kind text NOT NULL,                        -- email, bearer_token, jwt, ipv4, ipv6, random_string
  attribute text NOT NULL,                   -- where: the attribute key (tracepack.usage.endpoint, service.name, ...) when it is a known one, else '(other)'
  dropped integer NOT NULL,                  -- how many values or endpoint segments were dropped
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, period_start, period_end, kind, attribute)
);
COMMENT ON TABLE privacy_drops IS 'Per report, kind and attribute: values and endpoint segments the privacy filter dropped (counts only).';

-- Metrics the collector does not know (not one of @tracepack/usage's), ignored, counted per
-- report. Their data is never stored.
CREATE TABLE ignored_metrics (
  instance_id uuid NOT NULL,                 -- the instance whose report carried it
  period_start timestamptz NOT NULL,         -- the report's period (as in reports)
  period_end timestamptz NOT NULL,           -- the report's period end
  metric text NOT NULL,                      -- the metric name when it is name-like and passed the filter, else '(invalid)'
  data_points integer NOT NULL,              -- data points ignored
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, period_start, period_end, metric)
);
COMMENT ON TABLE ignored_metrics IS 'Per report: unknown metrics, ignored and counted.';
