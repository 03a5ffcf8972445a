export { buildUsageReport, findRegressions, parseSince, UsageReportOptionError } from './build';
export type { VersionAggregate } from './build';
export { rollUpUsage } from './rollup';
export type { RollUpResult } from './rollup';
export { renderUsageReportCsv } from './csv';
export { renderUsageReportMarkdown } from './markdown';
export type { MarkdownOptions } from './markdown';
export { renderUsageReportHtml } from './html';
export type { HtmlOptions } from './html';
export { renderChartSvg } from './charts';
export { compareVersions, parseVersionRange, VersionRangeError } from './semver';
export type { VersionRange } from './semver';
export { quantileOf } from './histogram';
export type { Buckets } from './histogram';
export { DEFAULT_REPORT_THRESHOLDS, HASHED_ENDPOINT, OVERFLOW_ENDPOINT } from './model';
export type {
  DeploymentDay,
  EndpointRow,
  EndpointVersionLatency,
  FeatureRow,
  IgnoredMetricRow,
  PrivacyDropRow,
  Regression,
  ReportThresholds,
  ReportTotals,
  ReportWindow,
  RuntimeLineRow,
  RuntimeRow,
  TestInstanceKind,
  UnusedEndpoint,
  UsageReport,
  UsageReportOptions,
  VersionCheck,
  VersionDay,
  VersionRow,
} from './model';
export { reportCommand, parseReportArgs, REPORT_USAGE } from './command';
export type { ReportCommandIo } from './command';
