import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LoadTracingConfigOptions, ResolvedTracingConfig, TracingConfig } from '@tracepack/config';
import type { LogLevelName } from './diag-levels';

export interface StartTracingOptions extends LoadTracingConfigOptions {
  /**
   * Level of the diagnostic logger installed on `diag` (console); `none` leaves `diag` as the
   * service set it. Set here, it wins over `tracing.log_level` (and so over OTEL_LOG_LEVEL).
   * @default config.log_level ('warn')
   */
  logLevel?: LogLevelName;
  /**
   * Flush on SIGTERM, SIGINT, before a natural exit and at `process.exit()`.
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
  /** Exports what is pending, within `flush_timeout_ms`. */
  forceFlush(): Promise<void>;
  /** Flushes (bounded by `flush_timeout_ms`), reports what was lost, and stops; idempotent. */
  shutdown(): Promise<void>;
  /** Where every sampled span is: see {@link TracingStats}. */
  stats(): TracingStats;
}

/**
 * The span processor's counters. At any time
 * `ended == exported + failed + dropped + droppedAtShutdown + queued + exporting`;
 * once shutdown is over, `queued` and `exporting` are 0.
 */
export interface SpanProcessorStats {
  /** Sampled spans that ended (unsampled spans are never exported, nor counted). */
  ended: number;
  /** Spans the backend acknowledged. */
  exported: number;
  /** Spans of exports that failed, were refused, or did not answer within export_timeout_ms. */
  failed: number;
  /** Spans dropped because the queue was full (backend slower than the service, or down). */
  dropped: number;
  /** Spans still waiting when the flush bound ran out at shutdown or exit, or ended after shutdown began. */
  droppedAtShutdown: number;
  /** Spans in the queue now. */
  queued: number;
  /** Spans in the export under way now. */
  exporting: number;
}

/** `stats()` of a tracing handle: the processor's counters. */
export type TracingStats = SpanProcessorStats;

/** What an {@link ExitSender} did with the spans it was given. */
export interface ExitSendResult {
  exported: number;
  failed: number;
  /** Not settled when the deadline passed. */
  unsettled: number;
}

/**
 * Delivers the last spans from the process's 'exit' event, where the event loop will never
 * run again: it exports them from another thread while the calling thread blocks.
 */
export interface ExitSender {
  /**
   * Exports `batches`, and settles `inFlight` (a batch whose export started on the calling
   * side and has not answered), blocking until all are settled or `deadline` (a
   * `performance.now()` time) passes.
   */
  sendAtExit(inFlight: ReadableSpan[] | undefined, batches: ReadableSpan[][], deadline: number): ExitSendResult;
}

/** Options of {@link BoundedBatchSpanProcessor}; startTracing fills them from the config. */
export interface BoundedBatchSpanProcessorOptions {
  /** Where batches go. */
  exporter: SpanExporter;
  /** Spans that may wait for export; more are dropped and counted. @default 2048 (max_queue_size) */
  maxQueueSize?: number;
  /** Most spans in one export; capped at `maxQueueSize`. @default 256 (max_export_batch_size) */
  maxExportBatchSize?: number;
  /** Longest time a finished span waits before its batch is exported. @default 200 (schedule_delay_ms) */
  scheduledDelayMillis?: number;
  /** An export that has not answered after this long (plus 250 ms) is given up; its spans count as failed. @default 10000 (export_timeout_ms) */
  exportTimeoutMillis?: number;
  /** Bound of `forceFlush()`, `shutdown()` and the hand-off at exit. @default 5000 (flush_timeout_ms) */
  flushTimeoutMillis?: number;
  /** Where spans go, as report lines name it. @default 'the exporter' */
  target?: string;
  /** The provider's resource: its asynchronously detected attributes are waited for before the first export (the spans' own resources are too). */
  resource?: Resource;
  /** Delivers what is left at `process.exit()`; without one, those spans count as dropped at shutdown. */
  exitSender?: ExitSender;
}

/** `startTracing(config)` accepts a plain tracing block as well as options. */
export type StartTracingInput = StartTracingOptions | TracingConfig;
