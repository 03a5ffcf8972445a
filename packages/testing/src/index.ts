export { createSpanCapture, assertSpan, parentSpanId, spanNamed } from './span-capture';
export type { SpanCapture, SpanExpectation } from './span-capture';
export { isCI } from './ci';
export { startPglite } from './pglite';
export type { StartPgliteOptions } from './pglite';
export { startPostgres, FixtureUnavailableError, isFixtureUnavailable } from './postgres';
export type { DatabaseServer, StartPostgresOptions } from './postgres';
export { startMariadb } from './mariadb';
export type { StartMariadbOptions } from './mariadb';
export { startOtlpReceiver } from './otlp-receiver';
export type {
  DecodedAttributeType,
  DecodedAttributeValue,
  DecodedEvent,
  DecodedSpan,
  DecodedSpanKind,
  OtlpReceiver,
  OtlpReceiverOptions,
  ReceivedRequest,
  ReceiverMode,
} from './otlp-receiver';
export { startZipkinReceiver } from './zipkin-receiver';
export type { ZipkinReceiver, ZipkinReceiverOptions, ZipkinSpan } from './zipkin-receiver';
export { OTLP_TRACE_PROTO, OTLP_TRACE_EXPORT_PATH, otlpTraceTypes } from './otlp.proto';
export {
  delay,
  dump,
  exportOnce,
  recordSampleTrace,
  sampleSpans,
  SERVICE,
  tracerProviderFor,
} from './provider-fixtures';
export type { ProviderSetupLike, SampleTrace } from './provider-fixtures';
// The real trace backends (Jaeger, Zipkin) of the e2e tier and the bench, and their query APIs.
export {
  JAEGER_VERSION,
  JAEGER_MODULE_VERSION,
  ZIPKIN_VERSION,
  INSTALL_HINT,
  cacheBinDir,
  jaegerBinaryPath,
  zipkinJarPath,
  e2eAvailability,
  e2eSkip,
  findOnPath,
  isExecutable,
  freePort,
  freePorts,
  logTail,
  jaegerConfigYaml,
  startJaeger,
  sumPrometheusCounter,
  jaegerSpanCounts,
  startZipkin,
  normalizeTraceId,
  jaegerTraces,
  jaegerTrace,
  jaegerServices,
  jaegerServiceOf,
  waitForJaegerTrace,
  zipkinTraces,
  zipkinTrace,
  waitForZipkinTrace,
} from './backends';
export type {
  E2eAvailability,
  SamplingStrategies,
  JaegerOptions,
  JaegerPorts,
  JaegerServer,
  JaegerSpanCounts,
  ZipkinOptions,
  ZipkinServer,
  JaegerTag,
  JaegerSpan,
  JaegerTrace,
  ZipkinEndpoint,
  ZipkinApiSpan,
} from './backends';
// OTLP metrics (the usage reports of @tracepack/usage): a loopback receiver that decodes them.
export { startOtlpMetricsReceiver } from './otlp-metrics-receiver';
export type { OtlpMetricsReceiver, OtlpMetricsReceiverOptions } from './otlp-metrics-receiver';
export { decodeMetricsRequest, pointsOf } from './otlp-metrics-decode';
export type {
  DecodedHistogram,
  DecodedMetricPoint,
  DecodedMetricsReport,
  DecodedMetricType,
  DecodedTemporality,
} from './otlp-metrics-decode';
export { otlpMetricsTypes } from './otlp-metrics-codec';
export {
  CHROMIUM_FLAGS,
  chromiumPath,
  launchBrowser,
  type Browser,
  type BrowserPage,
  type LaunchBrowserOptions,
  type OpenPageOptions,
  type ScreenshotOptions,
  type WaitForOptions,
} from './browser';
