import type { ResolvedTracingConfig } from '@tracepack/config';

/** The resolved `providers.otlp` block. */
export type OtlpConfig = ResolvedTracingConfig['providers']['otlp'];

/** Settings of the exporter that the `tracing:` config does not carry. */
export interface OtlpExporterOptions {
  /**
   * Time budget of one export, retries included. When absent, the exporter's own default
   * applies: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10000 ms.
   */
  timeoutMillis?: number;
}
