export { WorkerSpanProcessor } from './worker-span-processor';
export { WorkerExporter } from './worker-exporter';
export { ExitThreadSender } from './handoff';
export type { WorkerSpanProcessorOptions } from './types';
