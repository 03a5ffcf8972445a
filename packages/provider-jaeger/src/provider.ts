import type { ResolvedTracingConfig, TracingProviderFactory, TracingProviderSetup } from '@tracepack/config';
import { JaegerAgentExporter } from './agent-exporter';
import { JaegerCollectorExporter } from './collector-exporter';
import { createJaegerSampler } from './sampler';
import { isHttpUrl } from '@tracepack/config';
import { JaegerErrorCode, parseHostPort, TracepackJaegerError } from './utils';

const PATH = 'tracing.providers.jaeger';

type JaegerConfig = ResolvedTracingConfig['providers']['jaeger'];

/** Setup-time checks, for configs built in code that skipped @tracepack/config's validation. */
function checkConfig(jaeger: JaegerConfig): { host: string; port: number } {
  const address = jaeger.local_agent_address ?? '127.0.0.1:6831';
  const agent = parseHostPort(address);
  if (!agent) {
    throw new TracepackJaegerError(
      JaegerErrorCode.INVALID_ADDRESS,
      `${PATH}.local_agent_address`,
      `${JSON.stringify(address)} is not host:port (e.g. 127.0.0.1:6831, jaeger-agent:6831, [::1]:6831)`,
    );
  }
  for (const [key, value] of [
    ['collector_endpoint', jaeger.collector_endpoint],
    ['sampling.server_url', jaeger.sampling?.server_url],
  ] as const) {
    if (value !== undefined && !isHttpUrl(value)) {
      throw new TracepackJaegerError(
        JaegerErrorCode.INVALID_URL,
        `${PATH}.${key}`,
        'expects an http:// or https:// URL with a host',
      );
    }
  }
  const ratio = jaeger.sampling?.trace_id_ratio ?? 1;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    throw new TracepackJaegerError(
      JaegerErrorCode.OUT_OF_RANGE,
      `${PATH}.sampling.trace_id_ratio`,
      `${JSON.stringify(ratio)} is not a number from 0 to 1`,
    );
  }
  const refresh = jaeger.sampling?.refresh_interval_ms ?? 60000;
  if (!Number.isInteger(refresh) || refresh < 100) {
    throw new TracepackJaegerError(
      JaegerErrorCode.OUT_OF_RANGE,
      `${PATH}.sampling.refresh_interval_ms`,
      `${JSON.stringify(refresh)} is not an integer of at least 100`,
    );
  }
  return agent;
}

/**
 * Builds the Jaeger exporter and sampler from `tracing.providers.jaeger` (failures are
 * reported by @tracepack/node, which wraps every provider's exporter):
 * - `collector_endpoint` set: binary Thrift over HTTP to the collector;
 * - otherwise: Thrift over UDP to `local_agent_address`, compact unless the port is 6832;
 * - `sampling.server_url` set: remote sampling with `trace_id_ratio` until it answers;
 *   otherwise TraceIdRatioBased(`trace_id_ratio`).
 */
export const createProvider: TracingProviderFactory = (config: ResolvedTracingConfig): TracingProviderSetup => {
  const jaeger: JaegerConfig = config.providers?.jaeger ?? ({} as JaegerConfig);
  const agent = checkConfig(jaeger);
  const exporter = jaeger.collector_endpoint
    ? new JaegerCollectorExporter({
        endpoint: jaeger.collector_endpoint,
        serviceName: config.service_name,
        flushTimeoutMs: config.flush_timeout_ms,
        reportFailures: false,
      })
    : new JaegerAgentExporter({
        host: agent.host,
        port: agent.port,
        serviceName: config.service_name,
        flushTimeoutMs: config.flush_timeout_ms,
        reportFailures: false,
      });
  const sampling = createJaegerSampler({
    serverUrl: jaeger.sampling?.server_url,
    traceIdRatio: jaeger.sampling?.trace_id_ratio,
    refreshIntervalMs: jaeger.sampling?.refresh_interval_ms,
    serviceName: config.service_name,
  });
  return { exporter, sampler: sampling.sampler, shutdown: sampling.shutdown };
};
