import type { Resource } from '@opentelemetry/resources';
import type { ResolvedTracingConfig } from '@tracepack/config';
import type { DiagLevelName } from '../diag-levels';

/** Options of {@link WorkerSpanProcessor}. */
export interface WorkerSpanProcessorOptions {
  /** The resolved config: the worker builds `config.provider`'s exporter from it. */
  config: ResolvedTracingConfig;
  /** The tracer provider's resource; sent to the worker once, every exported span carries it. */
  resource: Resource;
  /** Where spans go (e.g. the collector URL), as failure reports name it. */
  target: string;
  /**
   * Level of the worker's diag logger; its lines are written through the main thread's `diag`.
   * @default 'warn'
   */
  logLevel?: DiagLevelName;
  /** Spans that may wait for export; more are dropped and counted. @default config.max_queue_size */
  maxQueueSize?: number;
  /** Spans per `postMessage` and per export; capped at `maxQueueSize`. @default 512 */
  maxExportBatchSize?: number;
  /** Longest time a finished span waits before it is handed to the worker. @default 1000 */
  scheduledDelayMillis?: number;
  /** An export that has not answered after this long no longer holds up the next. @default 10000 */
  exportTimeoutMillis?: number;
  /** Bound of `forceFlush()` and of `shutdown()`. @default config.flush_timeout_ms */
  flushTimeoutMillis?: number;
}
