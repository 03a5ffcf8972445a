export { WorkerSpanProcessor } from './worker-span-processor';
export type { WorkerSpanProcessorOptions } from './types';
