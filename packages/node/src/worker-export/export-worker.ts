/**
 * The export worker's entry (a worker_threads script): builds the provider's exporter from the
 * resolved config, through the same `resolveProvider()` as the main thread, and exports the
 * batches the main thread's BoundedBatchSpanProcessor hands it (through WorkerExporter), each
 * as soon as it arrives, answering with the exporter's result. Queueing, timeouts, counting
 * and failure reports all stay on the main thread: this thread only differs in where the
 * batch is exported. Its diag lines go to the main thread, which writes them through the
 * service's logger.
 *
 * The same script serves the hand-off at exit (see handoff.ts): the main thread, blocked in
 * the 'exit' event, waits on a shared buffer that this thread fills as batches settle.
 */
import { diag, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes, type DetectedResourceAttributes, type Resource } from '@opentelemetry/resources';
import type { ResolvedTracingConfig } from '@tracepack/config';
import { parentPort, workerData } from 'node:worker_threads';
import { resolveProvider } from '../providers';
import { describeExportError } from '../reporting-exporter';
import { DIAG_LEVELS, type DiagLevelName } from '../diag-levels';
import {
  EXIT_EXPORTED,
  EXIT_FAILED,
  EXIT_SETTLED,
  type ExportWorkerData,
  type FromWorker,
  type ToWorker,
} from './messages';
import { rebuildSpans } from './readable-span';
import type { ResourceRecord, SpanBatch } from './span-record';

/** Results kept for an exit hand-off that asks for a batch whose answer the main thread has not read yet. */
const RECENT_RESULTS = 64;

const data = workerData as ExportWorkerData;
const port = parentPort!;
const post = (msg: FromWorker): void => port.postMessage(msg);

diag.setLogger(forwardingLogger(), { logLevel: DIAG_LEVELS[data.logLevel], suppressOverrideMessage: true });

const setup = resolveProvider(withoutSampling(data.config));
// The sampler decides on the main thread; stop whatever the worker's copy runs.
void setup.shutdown?.().catch(() => {});
const exporter = setup.exporter;
let resource: Resource = resourceFromAttributes({});

const recent = new Map<number, boolean>();
/** Exit hand-offs waiting for the answer of a batch posted before them. */
const waiting = new Map<number, (ok: boolean) => void>();

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'batch':
      if (msg.resource) resource = toResource(msg.resource);
      void exportBatch(msg.batch).then(({ ok, error }) => settle(msg.id, ok, error));
      return;
    case 'exit':
      exitHandOff(msg);
      return;
    case 'shutdown':
      void exporter
        .shutdown()
        .catch(() => {})
        .then(() => post({ type: 'closed' }));
      return;
  }
});

/** Exports one batch; never rejects. */
function exportBatch(batch: SpanBatch): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    let answered = false;
    const done = (ok: boolean, error?: Error): void => {
      if (answered) return;
      answered = true;
      resolve(ok ? { ok } : { ok, error: describeExportError(error) });
    };
    try {
      exporter.export(rebuildSpans(batch, resource), (result) =>
        done(result.code === ExportResultCode.SUCCESS, result.error),
      );
    } catch (err) {
      // Cannot happen with records from WorkerExporter; answer rather than crash.
      done(false, err as Error);
    }
  });
}

function settle(id: number, ok: boolean, error: string | undefined): void {
  post(error === undefined ? { type: 'result', id, ok } : { type: 'result', id, ok, error });
  recent.set(id, ok);
  if (recent.size > RECENT_RESULTS) recent.delete(recent.keys().next().value!);
  const waiter = waiting.get(id);
  if (waiter) {
    waiting.delete(id);
    waiter(ok);
  }
}

function exitHandOff(msg: Extract<ToWorker, { type: 'exit' }>): void {
  const slots = new Int32Array(msg.results);
  const put = (slot: number, ok: boolean): void => {
    Atomics.store(slots, 1 + slot, ok ? EXIT_EXPORTED : EXIT_FAILED);
    Atomics.add(slots, EXIT_SETTLED, 1);
    Atomics.notify(slots, EXIT_SETTLED);
  };
  msg.waitFor.forEach((id, i) => {
    const ok = recent.get(id);
    if (ok !== undefined) put(i, ok);
    else waiting.set(id, (answer) => put(i, answer));
  });
  if (msg.resource) resource = toResource(msg.resource);
  // One after the other, like every export: a burst of UDP datagrams or requests at once is
  // what a backend is most likely to drop.
  let chain = Promise.resolve();
  msg.batches.forEach((batch, j) => {
    chain = chain.then(() => exportBatch(batch).then(({ ok }) => put(msg.waitFor.length + j, ok)));
  });
}

function toResource(record: ResourceRecord): Resource {
  return resourceFromAttributes(record.attributes as DetectedResourceAttributes, { schemaUrl: record.schemaUrl });
}

/**
 * The config the worker builds its exporter from: sampling settings that start something
 * (Jaeger remote sampling polls a server) are left out, since only the exporter is used here.
 */
function withoutSampling(config: ResolvedTracingConfig): ResolvedTracingConfig {
  if (config.provider !== 'jaeger' || !config.providers.jaeger.sampling?.server_url) return config;
  const jaeger = config.providers.jaeger;
  return {
    ...config,
    providers: { ...config.providers, jaeger: { ...jaeger, sampling: { ...jaeger.sampling, server_url: undefined } } },
  };
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
