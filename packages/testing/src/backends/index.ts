// The real trace backends of the e2e tier and the bench (Jaeger v2, Zipkin): where they are
// installed, starting and stopping them on loopback, and reading traces back.
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
} from './install';
export type { E2eAvailability } from './install';
export { freePort, freePorts } from './ports';
export { logTail } from './process';
export { jaegerConfigYaml, startJaeger, sumPrometheusCounter, jaegerSpanCounts } from './jaeger';
export type { SamplingStrategies, JaegerOptions, JaegerPorts, JaegerServer, JaegerSpanCounts } from './jaeger';
export { startZipkin } from './zipkin';
export type { ZipkinOptions, ZipkinServer } from './zipkin';
export {
  normalizeTraceId,
  jaegerTraces,
  jaegerTrace,
  jaegerServices,
  jaegerServiceOf,
  waitForJaegerTrace,
  zipkinTraces,
  zipkinTrace,
  waitForZipkinTrace,
} from './query';
export type { JaegerTag, JaegerSpan, JaegerTrace, ZipkinEndpoint, ZipkinApiSpan } from './query';
