/**
 * Every metric a report can carry, in one place: the README's table and the preview list
 * them from here. Names are namespaced so that a collector that also receives the service's
 * own metrics never mixes them up.
 */
export const METRIC = {
  requests: 'tracepack.usage.http.requests',
  duration: 'tracepack.usage.http.duration',
  responseSize: 'tracepack.usage.http.response.size',
  heapUsed: 'tracepack.usage.process.memory.heap_used',
  rss: 'tracepack.usage.process.memory.rss',
  gcRate: 'tracepack.usage.nodejs.gc.rate',
  gcTime: 'tracepack.usage.nodejs.gc.time',
  eventLoopDelayP99: 'tracepack.usage.nodejs.eventloop.delay.p99',
  tracepackFeatures: 'tracepack.usage.tracepack.features',
  serviceFeatures: 'tracepack.usage.service.features',
  activity: 'tracepack.usage.activity',
  keepalive: 'tracepack.usage.keepalive',
} as const;

/** Instrumentation scope of the SDK instruments and of the request telemetry. */
export const SCOPE = '@tracepack/usage';
export const HTTP_SCOPE = '@tracepack/usage/http';
