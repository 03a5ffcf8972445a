export { startTracing } from './start';
export type { StartTracingInput, StartTracingOptions, TracingHandle, TracingStats } from './types';
export { TracepackPropagator } from './propagation';
export { ReportingExporter } from './reporting-exporter';
export type { ExportStats } from './reporting-exporter';
export { buildResource } from './resource';
export { ConsoleWaterfallExporter, renderWaterfall } from './console';
export { loadTracingConfig, renderConfigHelp, TracepackConfigError, ConfigErrorCode } from '@tracepack/config';
export type { TracingConfig, ResolvedTracingConfig } from '@tracepack/config';
