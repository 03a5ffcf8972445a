import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { TracingProviderFactory } from '@tracepack/config';
import { OtlpHttpProtobufExporter } from './lean-exporter/exporter';
import type { OtlpConfig, OtlpEncoderChoice, OtlpExporterOptions } from './types';

type Compression = NonNullable<
  ConstructorParameters<typeof import('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter>[0]
>['compression'];

/** The schema default of `server_url`: the OTLP/HTTP port. */
const DEFAULT_HTTP_URL = 'http://127.0.0.1:4318';
/** Where the default goes with `protocol: grpc`: the OTLP/gRPC port. */
const DEFAULT_GRPC_URL = 'http://127.0.0.1:4317';

/**
 * OTLP to `providers.otlp.traces_endpoint` (as it is) or `server_url` (a base URL), with the
 * chosen protocol. Only the exporter for that protocol is loaded.
 */
export const createProvider: TracingProviderFactory = (config) => {
  const otlp = config.providers.otlp;
  // An export (retries included) never outlives the flush budget, so a dead collector cannot
  // hold the process open after shutdown for longer than the service allowed.
  const timeoutMillis = Math.min(otlp.timeout_ms ?? 10_000, Math.max(1_000, config.flush_timeout_ms));
  return {
    exporter: createOtlpExporter(otlp, { timeoutMillis }),
    sampler: new TraceIdRatioBasedSampler(otlp.sampling.sampling_ratio),
  };
};

/**
 * The OTLP exporter for `providers.otlp`: `authorization_header` and `headers` go with every
 * export (as gRPC metadata with `grpc`). Every setting the config carries is passed, so that
 * the upstream exporter's own reading of `process.env` never overrides the config's
 * precedence; what it still reads (certificates, and headers merged under ours) is listed in
 * the README.
 */
export function createOtlpExporter(otlp: OtlpConfig, options: OtlpExporterOptions = {}): SpanExporter {
  const headers: Record<string, string> = { ...otlp.headers };
  if (otlp.authorization_header) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    headers.authorization = otlp.authorization_header;
  }
  const shared = {
    timeoutMillis: options.timeoutMillis ?? otlp.timeout_ms ?? 10_000,
    // The exporters type it as their CompressionAlgorithm enum, whose values are these strings.
    compression: (otlp.compression ?? 'none') as Compression,
  };
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (otlp.protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
      const url = otlp.traces_endpoint ?? grpcUrl(otlp.server_url);
      // TLS credentials are left to the exporter, which reads OTEL_EXPORTER_OTLP_[TRACES_]
      // CERTIFICATE / CLIENT_KEY / CLIENT_CERTIFICATE for them; plaintext is ours to choose.
      const insecure = otlp.insecure || url.startsWith('http://');
      return new OTLPTraceExporter({
        url,
        metadata,
        ...(insecure ? { credentials: grpc.credentials.createInsecure() } : {}),
        ...shared,
      });
    }
    case 'http/json': {
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ url: otlp.traces_endpoint ?? tracesUrl(otlp.server_url), headers, ...shared });
    }
    case 'http/protobuf': {
      const url = otlp.traces_endpoint ?? tracesUrl(otlp.server_url);
      if (encoderChoice(options) === 'lean')
        return new OtlpHttpProtobufExporter({
          url,
          headers,
          compression: otlp.compression === 'gzip' ? 'gzip' : 'none',
          timeoutMillis: shared.timeoutMillis,
        });
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter({ url, headers, ...shared });
    }
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * `http/protobuf` goes through the lean exporter unless code asks otherwise or
 * TRACEPACK_OTLP_ENCODER=upstream does: a way back to the upstream exporter, should a
 * collector disagree with the lean one (the two send the same bytes; the test suite checks it).
 */
function encoderChoice(options: OtlpExporterOptions): OtlpEncoderChoice {
  if (options.encoder) return options.encoder;
  return process.env.TRACEPACK_OTLP_ENCODER?.trim().toLowerCase() === 'upstream' ? 'upstream' : 'lean';
}

/**
 * The OTLP/HTTP traces URL for a base URL, as the OTLP spec builds it from
 * `OTEL_EXPORTER_OTLP_ENDPOINT`: `/v1/traces` is appended to the path, so
 * `http://collector:4318` -> `http://collector:4318/v1/traces` and
 * `https://gateway/otlp` -> `https://gateway/otlp/v1/traces`. A URL already ending in
 * `/v1/traces` is kept as it is.
 */
export function tracesUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (!/\/v1\/traces\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/v1/traces`;
  return u.toString();
}

/** The gRPC target: the schema default (the HTTP port 4318) becomes the gRPC port 4317. */
export function grpcUrl(serverUrl: string): string {
  return serverUrl.replace(/\/+$/, '') === DEFAULT_HTTP_URL ? DEFAULT_GRPC_URL : serverUrl;
}
