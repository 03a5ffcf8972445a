/**
 * The export worker's entry (a worker_threads script): builds the provider's exporter from the
 * resolved config, through the same `resolveProvider()` as the main thread, and exports the
 * batches the main thread's WorkerSpanProcessor posts: one at a time, in order, each bounded
 * by `exportTimeoutMs`, with ReportingExporter's counting and once-per-streak reports. Its diag
 * lines go to the main thread, which writes them through the service's logger.
 */
import { diag, type DiagLogger } from '@opentelemetry/api';
import { resourceFromAttributes, type DetectedResourceAttributes } from '@opentelemetry/resources';
import type { ResolvedTracingConfig } from '@tracepack/config';
import { parentPort, workerData } from 'node:worker_threads';
import { resolveProvider } from '../providers';
import { ReportingExporter } from '../reporting-exporter';
import { DIAG_LEVELS, type DiagLevelName } from '../diag-levels';
import type { ExportWorkerData, FromWorker, ToWorker } from './messages';
import { rebuildSpans } from './readable-span';
import type { SpanBatch } from './span-record';

const data = workerData as ExportWorkerData;
const port = parentPort!;
const post = (msg: FromWorker): void => port.postMessage(msg);

diag.setLogger(forwardingLogger(), { logLevel: DIAG_LEVELS[data.logLevel], suppressOverrideMessage: true });

const setup = resolveProvider(withoutSampling(data.config));
// The sampler decides on the main thread; stop whatever the worker's copy runs.
void setup.shutdown?.().catch(() => {});
const exporter = new ReportingExporter(setup.exporter, data.target);
const resource = resourceFromAttributes(data.resource.attributes as DetectedResourceAttributes, { schemaUrl: data.resource.schemaUrl });

/** Batches are exported one after the other, like the batch span processor does. */
let queue: Promise<void> = Promise.resolve();

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'batch':
      queue = queue.then(() => exportBatch(msg.batch));
      return;
    case 'flush':
      queue = queue.then(async () => {
        await exporter.forceFlush().catch(() => {});
        post({ type: 'flushed', id: msg.id, ...exporter.stats });
      });
      return;
    case 'shutdown':
      queue = queue.then(async () => {
        await exporter.shutdown().catch(() => {});
        post({ type: 'closed', ...exporter.stats });
      });
      return;
  }
});

function exportBatch(batch: SpanBatch): Promise<void> {
  return new Promise<void>((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      // Like the batch processor: stop waiting so the next batch can go; the late answer is
      // still counted (ReportingExporter) and reported with a `stats` message.
      timedOut = true;
      post({ type: 'settled', ...exporter.stats });
      resolve();
    }, data.exportTimeoutMs);
    let spans;
    try {
      spans = rebuildSpans(batch, resource);
    } catch (err) {
      // Cannot happen with records from WorkerSpanProcessor; count rather than crash.
      clearTimeout(timer);
      exporter.stats.failed += batch.spans.length;
      diag.error(`@tracepack/node: export worker could not read a batch: ${(err as Error)?.message}`);
      post({ type: 'settled', ...exporter.stats });
      resolve();
      return;
    }
    exporter.export(spans, () => {
      if (timedOut) {
        post({ type: 'stats', ...exporter.stats });
        return;
      }
      clearTimeout(timer);
      post({ type: 'settled', ...exporter.stats });
      resolve();
    });
  });
}

/**
 * The config the worker builds its exporter from: sampling settings that start something
 * (Jaeger remote sampling polls a server) are left out, since only the exporter is used here.
 */
function withoutSampling(config: ResolvedTracingConfig): ResolvedTracingConfig {
  if (config.provider !== 'jaeger' || !config.providers.jaeger.sampling?.server_url) return config;
  const jaeger = config.providers.jaeger;
  return { ...config, providers: { ...config.providers, jaeger: { ...jaeger, sampling: { ...jaeger.sampling, server_url: undefined } } } };
}

function forwardingLogger(): DiagLogger {
  const line =
    (level: DiagLevelName) =>
    (message: string, ...args: unknown[]): void => {
      const text = args.length === 0 ? message : [message, ...args.map(String)].join(' ');
      post({ type: 'log', level, message: text });
    };
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug'), verbose: line('debug') };
}
