import type { ResolvedTracingConfig } from '@tracepack/config';

/** The resolved `providers.otlp` block. */
export type OtlpConfig = ResolvedTracingConfig['providers']['otlp'];

/** Settings of the exporter beside the `providers.otlp` block. */
export interface OtlpExporterOptions {
  /**
   * Time budget of one export, retries included. `createProvider` passes `timeout_ms` capped by
   * the flush budget (`flush_timeout_ms`, at least 1000 ms).
   * @default otlp.timeout_ms (10000)
   */
  timeoutMillis?: number;
  /**
   * Which encoder and HTTP client send `http/protobuf`: `lean` (this package's encoder and
   * exporter) or `upstream` (@opentelemetry/exporter-trace-otlp-proto). `http/json` and `grpc`
   * always use the upstream exporters.
   * @default the TRACEPACK_OTLP_ENCODER environment variable when it is `upstream`, else `lean`
   */
  encoder?: OtlpEncoderChoice;
}

/** `lean`: OtlpHttpProtobufExporter; `upstream`: @opentelemetry/exporter-trace-otlp-proto. */
export type OtlpEncoderChoice = 'lean' | 'upstream';

/** Settings of {@link OtlpHttpProtobufExporter}. */
export interface OtlpHttpProtobufExporterOptions {
  /** The full traces URL, e.g. `http://collector:4318/v1/traces`. */
  url: string;
  /** Headers of every export request (names are sent lowercase). @default {} */
  headers?: Record<string, string>;
  /** `gzip` compresses each request body. @default 'none' */
  compression?: 'gzip' | 'none';
  /** Time budget of one export, retries included. @default 10000 */
  timeoutMillis?: number;
  /** Exports in flight at once; one more fails at once. @default 30 */
  concurrencyLimit?: number;
}
