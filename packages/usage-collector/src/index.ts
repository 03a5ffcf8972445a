export {
  startUsageCollector,
  resolveOptions,
  METRICS_PATH,
  DEFAULT_PORT,
  DEFAULT_HOST,
  DEFAULT_BODY_LIMIT,
} from './server';
export type { UsageCollector, UsageCollectorOptions } from './types';
export { openDatabase, redactUrl, DEFAULT_DATA_DIR } from './database';
export type { Database, DatabaseSession, OpenDatabaseOptions, QueryResult } from './database';
export { migrate, readMigrations, MIGRATIONS_DIR } from './migrations';
export type { Migration } from './migrations';
export { classify, filterEndpoint, looksRandom, DROP_KINDS, DROPPED_SEGMENT } from './privacy-filter';
export type { DropKind, FilteredEndpoint } from './privacy-filter';
export { ingest } from './ingest';
export type { IngestResult } from './ingest';
export { storeBatch, STORE_SQL } from './store';
export {
  landBatch,
  rollUpLanded,
  mergeBatches,
  landedColumns,
  landedStatements,
  LANDING_LOCK_KEY,
  DEFAULT_ROLLUP_BATCH,
} from './landing';
export type { LandedRow, RollUpLandedOptions, RollUpLandedResult } from './landing';
export type { StoreCounts } from './store';
export { decodeProtobufjsRequest, decodeRequest, encodingOf } from './codec';
export type { Encoding } from './codec';
export { OTLP_METRICS_PROTO, otlpMetricsTypes } from './otlp-metrics.proto';
export { METRIC as USAGE_METRICS } from './metric-names';
export { serveCommand, parseServeArgs, SERVE_USAGE } from './serve-command';
export type { ServeCommandIo } from './serve-command';
export { UsageCollectorError, ERROR_CODES } from './errors';
export type { UsageCollectorErrorCode } from './errors';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version';
// The report (`tracepack usage report`): buildUsageReport() and its renderers.
export {
  buildUsageReport,
  rollUpUsage,
  renderUsageReportCsv,
  renderUsageReportMarkdown,
  renderUsageReportHtml,
  renderChartSvg,
  findRegressions,
  parseSince,
  compareVersions,
  parseVersionRange,
  quantileOf,
  UsageReportOptionError,
  VersionRangeError,
  DEFAULT_REPORT_THRESHOLDS,
  HASHED_ENDPOINT,
  OVERFLOW_ENDPOINT,
  reportCommand,
  parseReportArgs,
  REPORT_USAGE,
} from './report/index';
export type {
  Buckets,
  DeploymentDay,
  EndpointRow,
  EndpointVersionLatency,
  FeatureRow,
  HtmlOptions,
  IgnoredMetricRow,
  MarkdownOptions,
  PrivacyDropRow,
  Regression,
  ReportCommandIo,
  ReportThresholds,
  ReportTotals,
  ReportWindow,
  RollUpResult,
  RuntimeLineRow,
  RuntimeRow,
  TestInstanceKind,
  UnusedEndpoint,
  UsageReport,
  UsageReportOptions,
  VersionAggregate,
  VersionCheck,
  VersionDay,
  VersionRange,
  VersionRow,
} from './report/index';
