/**
 * What `buildUsageReport()` returns: the answers, as plain data, that the csv, markdown and
 * html renderers print. Days are UTC dates (`2026-11-23`), times ISO 8601, durations in ms.
 */

/** Options of `buildUsageReport()`. */
export interface UsageReportOptions {
  /**
   * The window: a duration back from `now` (`30d`, `12h`, `2w`) or a date / ISO time. Widened
   * to whole UTC days: the report covers every day from the day it starts on to today.
   * @default '30d'
   */
  since?: string | Date;
  /** Version ranges maintainers flag as vulnerable (`<1.4.2`, `>=1.3.0 <1.4.2 || =1.4.5`). @default [] */
  vulnerable?: string | readonly string[];
  /** Count the installations running a version older than this one. @default the newest version deployed */
  olderThan?: string;
  /**
   * Endpoints the service has (`GET /clients/:id`, or a template alone for every method): those no
   * production installation used in the window are listed as never used. Without it, only
   * endpoints seen before the window and not in it are.
   * @default []
   */
  endpoints?: readonly string[];
  /** Report time. @default new Date() */
  now?: Date;
  /**
   * Count test instances (CI, local runs, instances that stopped while warming up) everywhere,
   * as production ones: each stands for an installation of its own (it has none) on the version
   * it reported (test instances send none: `(unknown)`). Without it they are counted apart, in
   * the deployments over time only.
   * @default false
   */
  includeTest?: boolean;
  /** Thresholds of rarely used endpoints and of regressions. @default DEFAULT_REPORT_THRESHOLDS */
  thresholds?: Partial<ReportThresholds>;
  /**
   * The report rolls newly stored rows into its daily tables before reading; rows received in
   * the last `rollupLagMs` stay out of the persisted roll-up (a transaction of the collector that
   * is still open could add rows timed before its commit) and are read from the raw tables, so
   * the report is current either way.
   * @default 600000 (10 minutes)
   */
  rollupLagMs?: number;
}

/**
 * When an endpoint counts as rarely used, and when a change between one version and the next
 * counts as a regression. Both versions must carry enough responses for a percentile or a rate
 * to mean something; both conditions of a regression must hold.
 */
export interface ReportThresholds {
  /** Rarely used: fewer than this share of the production installations that sent requests used it. @default 0.05 */
  rareInstallationShare: number;
  /** Responses an endpoint needs in each of the two versions compared. @default 200 */
  regressionMinResponses: number;
  /** p99 regression: the p99 grows by at least this factor ... @default 1.5 */
  p99Factor: number;
  /** ... and by at least this many milliseconds (a jump inside one histogram bucket is noise). @default 20 */
  p99MinIncreaseMs: number;
  /** Error rate regression: the 5xx rate grows by at least this many percentage points ... @default 1 */
  errorRateMinIncreasePoints: number;
  /** ... at least doubles ... @default 2 */
  errorRateFactor: number;
  /** ... and the rise is significant: two-proportion z score at least this. @default 3 */
  errorRateMinZ: number;
}

export const DEFAULT_REPORT_THRESHOLDS: Readonly<ReportThresholds> = Object.freeze({
  rareInstallationShare: 0.05,
  regressionMinResponses: 200,
  p99Factor: 1.5,
  p99MinIncreaseMs: 20,
  errorRateMinIncreasePoints: 1,
  errorRateFactor: 2,
  errorRateMinZ: 3,
});

export interface ReportWindow {
  /** What was asked (`30d`, or the date given). */
  asked: string;
  /** First day covered (UTC). */
  firstDay: string;
  /** Last day covered: the day of `until` (UTC). */
  lastDay: string;
  days: number;
  /** Report time. */
  until: string;
}

export interface ReportTotals {
  /** Production installations seen in the window. */
  installations: number;
  /** Production instances (process starts of those installations) seen in the window. */
  productionInstances: number;
  /** Test instances (CI, local, warming up) seen in the window. */
  testInstances: number;
  /** Responses counted for production instances. */
  responses: number;
  /** 5xx responses of production instances. */
  serverErrors: number;
}

/** One day of deployments. */
export interface DeploymentDay {
  day: string;
  /** Production installations running that day. */
  installations: number;
  /** Their instances running that day. */
  productionInstances: number;
  /** Test instances running that day, by reason. */
  ci: number;
  local: number;
  warmingUp: number;
  /** Test instances with another or no reason. */
  otherTest: number;
}

export interface TestInstanceKind {
  /** `ci`, `local`, `warming_up`, or another reason sent. */
  reason: string;
  /** CI name for `ci` (github_actions, gitlab, ...); '' otherwise. */
  ciName: string;
  instances: number;
}

/** One deployed version. */
export interface VersionRow {
  version: string;
  /** Installations whose latest instance in the window runs it. */
  installations: number;
  /** Share of all production installations. */
  share: number;
  /** Installations that ran it at any time in the window. */
  installationsEver: number;
  instances: number;
  olderThanReference: boolean;
  /** Inside one of the flagged ranges. */
  vulnerable: boolean;
}

export interface VersionCheck {
  /** The version compared with (`olderThan`, or the newest deployed). */
  reference: string | undefined;
  /** Installations whose current version is older than `reference`. */
  olderInstallations: number;
  /** The flagged ranges, as given. */
  vulnerableRanges: string[];
  /** Installations whose current version is in a flagged range. */
  vulnerableInstallations: number;
  /** The deployed versions in a flagged range. */
  vulnerableVersions: string[];
}

/** Installations per version and day (the versions chart). */
export interface VersionDay {
  day: string;
  version: string;
  installations: number;
}

export interface FeatureRow {
  /** `tracepack` (tracepack's own features on) or `service` (usage.feature()). */
  source: 'tracepack' | 'service';
  feature: string;
  /**
   * Production installations that reported it in the window with a value above 0 (a count
   * feature of tracepack, `tracing.http.routes` say, at 0 is configured off).
   */
  installations: number;
  share: number;
  /** Service features: uses counted in the window; tracepack features: reports that carried it (above 0). */
  uses: number;
}

/** Endpoint names that are not a route template. */
export const HASHED_ENDPOINT = '(hashed paths)';
export const OVERFLOW_ENDPOINT = '(overflow)';

export interface EndpointRow {
  /** Route template, `(hashed paths)` (paths no template matched, hashed per instance) or `(overflow)`. */
  endpoint: string;
  method: string;
  responses: number;
  /** Share of all production responses. */
  share: number;
  /** Responses per day over the window, and per second. */
  perDay: number;
  perSecond: number;
  /** Production installations that used it in the window. */
  installations: number;
  /** 5xx responses and their rate; 4xx apart (client errors). */
  serverErrors: number;
  errorRate: number;
  clientErrors: number;
  clientErrorRate: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Fewer installations than the rare threshold. */
  rare: boolean;
}

export interface UnusedEndpoint {
  endpoint: string;
  method: string;
  /** Last day any production installation used it, if ever (before the window). */
  lastUsed: string | undefined;
  /** `declared` (given in `endpoints`) or `seen before` (stored from before the window). */
  source: 'declared' | 'seen before';
}

/** Latency of one endpoint and method in one version. */
export interface EndpointVersionLatency {
  endpoint: string;
  method: string;
  version: string;
  responses: number;
  serverErrors: number;
  errorRate: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
}

export interface Regression {
  endpoint: string;
  method: string;
  metric: 'p99' | 'error_rate';
  fromVersion: string;
  toVersion: string;
  /** p99 in ms, or the 5xx rate (0..1). */
  before: number;
  after: number;
  responsesBefore: number;
  responsesAfter: number;
}

export interface RuntimeRow {
  /** `node 22.15.0 · linux/amd64`-like parts, each its own column. */
  runtime: string;
  runtimeVersion: string;
  os: string;
  arch: string;
  installations: number;
}

/** Installations per runtime line (`nodejs 22`): which lines to keep supporting. */
export interface RuntimeLineRow {
  runtime: string;
  /** The major version (`22`), or the version as sent when it has none. */
  line: string;
  installations: number;
}

export interface PrivacyDropRow {
  kind: string;
  attribute: string;
  dropped: number;
}

export interface IgnoredMetricRow {
  metric: string;
  dataPoints: number;
}

export interface UsageReport {
  /** The service name(s) production instances reported, most common first. */
  services: string[];
  /** Test instances counted as production ones (`includeTest`): every count below includes them. */
  includeTest: boolean;
  window: ReportWindow;
  thresholds: ReportThresholds;
  totals: ReportTotals;
  deployments: DeploymentDay[];
  testInstances: TestInstanceKind[];
  versions: VersionRow[];
  versionCheck: VersionCheck;
  versionsOverTime: VersionDay[];
  features: FeatureRow[];
  endpoints: EndpointRow[];
  unusedEndpoints: UnusedEndpoint[];
  /** Every endpoint, method and version with responses, slowest p99 first. */
  latencyByVersion: EndpointVersionLatency[];
  regressions: Regression[];
  runtimes: RuntimeRow[];
  runtimeLines: RuntimeLineRow[];
  privacyDrops: PrivacyDropRow[];
  ignoredMetrics: IgnoredMetricRow[];
}
