// Never exported from the package: the decoded OTLP shapes the collector reads, and the rows
// one request stores.

/** A 64-bit number as protobufjs gives it: a Long (decoded), a string (OTLP/JSON) or a number. */
export type Int64 = number | string | { low: number; high: number; unsigned?: boolean; toNumber?: () => number };

export interface OtlpKeyValue {
  key?: string;
  value?: OtlpAnyValue | null;
}
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: unknown;
  kvlistValue?: unknown;
  bytesValue?: unknown;
}
export interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  asDouble?: number;
  asInt?: Int64;
}
export interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: Int64[];
  explicitBounds?: number[];
}
export interface OtlpMetric {
  name?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] } | null;
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean } | null;
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: number } | null;
  exponentialHistogram?: unknown;
  summary?: unknown;
}
export interface OtlpResourceMetrics {
  resource?: { attributes?: OtlpKeyValue[] } | null;
  scopeMetrics?: { metrics?: OtlpMetric[] }[];
}
export interface OtlpExportRequest {
  resourceMetrics?: OtlpResourceMetrics[];
}

// ------------------------------------------------------------------ rows (column names)

/** A time as PostgreSQL reads it: ISO 8601 UTC with microseconds. */
export type Timestamp = string;

export interface InstallationRow {
  installation_id: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
}
export interface InstanceRow {
  instance_id: string;
  installation_id: string | null;
  identified: boolean;
  test_reason: string | null;
  ci_name: string | null;
  usage_version: string | null;
  service_name: string | null;
  service_version: string | null;
  git_revision: string | null;
  build_time: Timestamp | null;
  deployment_environment: string | null;
  os_type: string | null;
  host_arch: string | null;
  cpu_count: number | null;
  runtime_name: string | null;
  runtime_version: string | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
}
export interface ReportRow {
  instance_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
  identified: boolean;
  test_reason: string | null;
  installation_id: string | null;
  service_version: string | null;
  data_points: number;
}
interface PeriodRow {
  instance_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
}
export interface HistogramColumns {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  bounds: number[];
  counts: number[];
}
export interface EndpointRow extends PeriodRow {
  endpoint: string;
  overflow: boolean;
  method: string;
  status_code: number;
  duration_count: number | null;
  duration_sum_ms: number | null;
  duration_min_ms: number | null;
  duration_max_ms: number | null;
  duration_bounds_ms: number[] | null;
  duration_counts: number[] | null;
  size_count: number | null;
  size_sum_bytes: number | null;
  size_min_bytes: number | null;
  size_max_bytes: number | null;
  size_bounds_bytes: number[] | null;
  size_counts: number[] | null;
}
export interface RequestCountRow extends PeriodRow {
  method: string;
  requests: number;
}
export interface FeatureRow extends PeriodRow {
  source: 'tracepack' | 'service';
  feature: string;
  value: number;
}
export interface ActivityRow extends PeriodRow {
  activity: string;
  user_hash: string;
  org_hash: string;
  overflow: boolean;
  events: number;
}
export interface RuntimeRow extends PeriodRow {
  metric: string;
  gc_kind: string;
  value: number;
}
export interface KeepaliveRow {
  instance_id: string;
  at: Timestamp;
}
export interface DropRow extends PeriodRow {
  kind: string;
  attribute: string;
  dropped: number;
}
export interface IgnoredMetricRow extends PeriodRow {
  metric: string;
  data_points: number;
}

/** Everything one request stores, in one statement. */
export interface StoreBatch {
  installations: InstallationRow[];
  instances: InstanceRow[];
  reports: ReportRow[];
  endpoint_usage: EndpointRow[];
  request_counts: RequestCountRow[];
  feature_usage: FeatureRow[];
  user_activity: ActivityRow[];
  runtime_stats: RuntimeRow[];
  keepalives: KeepaliveRow[];
  privacy_drops: DropRow[];
  ignored_metrics: IgnoredMetricRow[];
}
