import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LoadTracingConfigOptions, ResolvedTracingConfig, TracingConfig } from '@tracepack/config';
import type { ExportStats } from './reporting-exporter';
import type { LogLevelName } from './diag-levels';

export interface StartTracingOptions extends LoadTracingConfigOptions {
  /**
   * Level of the diagnostic logger installed on `diag` (console); `none` leaves `diag` as the
   * service set it. Set here, it wins over `tracing.log_level` (and so over OTEL_LOG_LEVEL).
   * @default config.log_level ('warn')
   */
  logLevel?: LogLevelName;
  /**
   * Flush on SIGTERM, SIGINT and before exit.
   * @default true
   */
  handleSignals?: boolean;
  /** Extra span processors, run beside the exporter's (e.g. a test capture). @default [] */
  spanProcessors?: SpanProcessor[];
}

/** What `startTracing` returns. */
export interface TracingHandle {
  /** False when tracing is off (no provider): nothing was loaded or patched. */
  readonly enabled: boolean;
  readonly config: ResolvedTracingConfig;
  /** Exports what is pending. */
  forceFlush(): Promise<void>;
  /** Flushes (bounded by `flush_timeout_ms`) and stops; idempotent. */
  shutdown(): Promise<void>;
  /** Spans exported, failed and dropped (queue full) so far. */
  stats(): TracingStats;
}

export interface TracingStats extends ExportStats {
  /** Spans dropped because the queue was full (backend slower than the service). */
  dropped: number;
}

/** `startTracing(config)` accepts a plain tracing block as well as options. */
export type StartTracingInput = StartTracingOptions | TracingConfig;
