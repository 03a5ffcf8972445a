import { BoundedBatchSpanProcessor } from '../batch-processor';
import type { WorkerSpanProcessorOptions } from './types';
import { WorkerExporter } from './worker-exporter';

/**
 * BoundedBatchSpanProcessor whose exports run in a worker thread (see WorkerExporter), so that
 * serializing spans (protobuf, JSON, Thrift) and the export requests cost the event loop
 * nothing. The queue, its bounds, the timeouts, the counters and the reports are the same
 * as in-thread: the only difference is where a batch is exported. The worker is also what
 * delivers the last spans at `process.exit()` (see handoff.ts).
 */
export class WorkerSpanProcessor extends BoundedBatchSpanProcessor {
  constructor(options: WorkerSpanProcessorOptions) {
    const { config } = options;
    const flushTimeoutMillis = options.flushTimeoutMillis ?? config.flush_timeout_ms;
    const exporter = new WorkerExporter(
      { tracepackExportWorker: true, config, target: options.target, logLevel: options.logLevel ?? 'warn' },
      flushTimeoutMillis,
    );
    super({
      exporter,
      exitSender: exporter,
      target: options.target,
      resource: options.resource,
      maxQueueSize: options.maxQueueSize ?? config.max_queue_size,
      maxExportBatchSize: options.maxExportBatchSize ?? config.max_export_batch_size,
      scheduledDelayMillis: options.scheduledDelayMillis ?? config.schedule_delay_ms,
      exportTimeoutMillis: options.exportTimeoutMillis ?? config.export_timeout_ms,
      flushTimeoutMillis,
    });
  }
}
