export { startTracing } from './start';
export type {
  BoundedBatchSpanProcessorOptions,
  ExitSender,
  ExitSendResult,
  SpanProcessorStats,
  StartTracingInput,
  StartTracingOptions,
  TracingHandle,
  TracingStats,
} from './types';
export { TracepackPropagator } from './propagation';
export { BoundedBatchSpanProcessor } from './batch-processor';
export { ReportingExporter } from './reporting-exporter';
export type { ExportStats } from './reporting-exporter';
export { buildResource } from './resource';
export { WorkerSpanProcessor } from './worker-export';
export type { WorkerSpanProcessorOptions } from './worker-export';
export { ConsoleWaterfallExporter, renderWaterfall } from './console';
export { loadTracingConfig, renderConfigHelp, TracepackConfigError, ConfigErrorCode } from '@tracepack/config';
export type { TracingConfig, ResolvedTracingConfig } from '@tracepack/config';
