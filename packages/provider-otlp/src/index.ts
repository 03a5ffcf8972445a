import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ResolvedTracingConfig, TracingProviderFactory } from '@tracepack/config';

type OtlpConfig = ResolvedTracingConfig['providers']['otlp'];

/**
 * OTLP to `providers.otlp.server_url` with the chosen protocol. Only the exporter for that
 * protocol is loaded. For HTTP, `/v1/traces` is appended unless the URL already has a path.
 */
export const createProvider: TracingProviderFactory = (config) => {
  const otlp = config.providers.otlp;
  return { exporter: createOtlpExporter(otlp), sampler: new TraceIdRatioBasedSampler(otlp.sampling.sampling_ratio) };
};

export function createOtlpExporter(otlp: OtlpConfig): SpanExporter {
  const headers: Record<string, string> = { ...otlp.headers };
  if (otlp.authorization_header) headers.authorization = otlp.authorization_header;
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (otlp.protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
      const insecure = otlp.insecure || otlp.server_url.startsWith('http://');
      return new OTLPTraceExporter({
        url: otlp.server_url,
        metadata,
        credentials: insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(),
      });
    }
    case 'http/json': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ url: tracesUrl(otlp.server_url), headers });
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter({ url: tracesUrl(otlp.server_url), headers });
    }
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** `http://collector:4318` -> `http://collector:4318/v1/traces`; a URL with a path is kept. */
export function tracesUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/traces';
  return u.toString();
}
