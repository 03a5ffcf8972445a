import type { Resource } from '@opentelemetry/resources';
import type { ResolvedTracingConfig } from '@tracepack/config';
import type { DiagLevelName } from '../diag-levels';

/** Options of {@link WorkerSpanProcessor}. */
export interface WorkerSpanProcessorOptions {
  /** The resolved config: the worker builds `config.provider`'s exporter from it; the batch settings default to its keys. */
  config: ResolvedTracingConfig;
  /**
   * The tracer provider's resource: its asynchronously detected attributes are waited for
   * before the first export (the resource of the exported spans is sent to the worker then).
   */
  resource?: Resource;
  /** Where spans go (e.g. the collector URL), as failure reports name it. */
  target: string;
  /**
   * Level of the worker's diag logger; its lines are written through the main thread's `diag`.
   * @default 'warn'
   */
  logLevel?: DiagLevelName;
  /** Spans that may wait for export; more are dropped and counted. @default config.max_queue_size */
  maxQueueSize?: number;
  /** Spans per `postMessage` and per export; capped at `maxQueueSize`. @default config.max_export_batch_size */
  maxExportBatchSize?: number;
  /** Longest time a finished span waits before it is handed to the worker. @default config.schedule_delay_ms */
  scheduledDelayMillis?: number;
  /** An export that has not answered after this long (plus 250 ms) is given up. @default config.export_timeout_ms */
  exportTimeoutMillis?: number;
  /** Bound of `forceFlush()`, `shutdown()` and the hand-off at exit. @default config.flush_timeout_ms */
  flushTimeoutMillis?: number;
}
