import { USAGE_METRICS } from '@tracepack/usage';

/**
 * The metrics @tracepack/usage sends: its own table (`USAGE_METRICS`), the contract between the
 * reporter and the collector, kept in one place. What the collector stores of each is below;
 * any other metric name is ignored and counted (`ignored_metrics`).
 */
export const METRIC = USAGE_METRICS;

export type MetricKind = 'gauge' | 'sum' | 'histogram';

/** The OTLP type each known metric must have (another type: its points are rejected). */
export const METRIC_KIND: Readonly<Record<string, MetricKind>> = {
  [METRIC.requests]: 'sum',
  [METRIC.duration]: 'histogram',
  [METRIC.responseSize]: 'histogram',
  [METRIC.heapUsed]: 'gauge',
  [METRIC.rss]: 'gauge',
  [METRIC.gcRate]: 'gauge',
  [METRIC.gcTime]: 'gauge',
  [METRIC.eventLoopDelayP99]: 'gauge',
  [METRIC.tracepackFeatures]: 'gauge',
  [METRIC.serviceFeatures]: 'sum',
  [METRIC.activity]: 'sum',
  [METRIC.keepalive]: 'gauge',
};

/** Prefix stripped from the runtime metrics' names in `runtime_stats.metric`. */
export const METRIC_PREFIX = 'tracepack.usage.';

/** Attribute keys the collector reads (resource and data points); others are never stored. */
export const ATTR = {
  instanceId: 'service.instance.id',
  usageVersion: 'tracepack.usage.version',
  identified: 'tracepack.usage.identified',
  testReason: 'tracepack.usage.test_reason',
  ciName: 'tracepack.usage.ci.name',
  installationId: 'tracepack.usage.installation.id',
  osType: 'os.type',
  hostArch: 'host.arch',
  cpuCount: 'tracepack.usage.cpu.count',
  runtimeName: 'process.runtime.name',
  runtimeVersion: 'process.runtime.version',
  serviceName: 'service.name',
  serviceVersion: 'service.version',
  gitRevision: 'vcs.ref.head.revision',
  buildTime: 'tracepack.usage.build_time',
  deploymentEnvironment: 'deployment.environment.name',
  endpoint: 'tracepack.usage.endpoint',
  method: 'http.request.method',
  statusCode: 'http.response.status_code',
  overflow: 'otel.metric.overflow',
  gcKind: 'nodejs.gc.kind',
  feature: 'tracepack.feature',
  activity: 'tracepack.activity',
  userHash: 'enduser.id.sha256',
  orgHash: 'org.id.sha256',
} as const;

export const KNOWN_ATTRIBUTES: ReadonlySet<string> = new Set(Object.values(ATTR));
