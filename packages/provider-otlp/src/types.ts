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
}
