import { diag, TraceFlags, type Context } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TracingStats } from '../types';
import type { ExportWorkerData, FromWorker, ToWorker } from './messages';
import { toScopeRecord, toSpanRecord, type ScopeRecord, type SpanRecord } from './span-record';
import type { WorkerSpanProcessorOptions } from './types';

const WORKER_SCRIPT = join(__dirname, 'export-worker.js');
/** A worker that stops on its own is started again this many times; then spans count as failed. */
const MAX_RESTARTS = 1;

/**
 * A batching span processor whose exporter runs in a worker thread, so that serializing
 * spans (protobuf, JSON, Thrift) and the export requests cost the event loop nothing.
 *
 * On the main thread, `onEnd` turns each sampled span into a plain record and appends it to a
 * buffer; every `scheduledDelayMillis`, or as soon as `maxExportBatchSize` records wait, the
 * buffer goes to the worker in one `postMessage`. The worker builds the provider's exporter
 * itself from the resolved config, exports batches one at a time and answers with its
 * counters. Same bounds as the batch span processor: at most `maxQueueSize` spans wait (in the
 * buffer or queued in the worker) beside the batch being exported; beyond that spans are
 * dropped and counted.
 *
 * The worker never keeps the process alive on its own: it is unref'ed, and ref'ed only while
 * a flush or the shutdown waits for it. Should it die, the spans it held count as failed, the
 * loss is reported once, and it is started again (once).
 */
export class WorkerSpanProcessor implements SpanProcessor {
  private readonly options: Required<Omit<WorkerSpanProcessorOptions, 'config' | 'resource' | 'target' | 'logLevel'>>;
  private readonly workerData: ExportWorkerData;
  private worker: Worker | undefined;
  private restarts = 0;

  private buffer: SpanRecord[] = [];
  private scopes: ScopeRecord[] = [];
  private scopeIndexes = new Map<InstrumentationScope, number>();
  private timer: NodeJS.Timeout | undefined;

  /** Sizes of the batches posted to the worker and not settled yet, oldest (exporting) first. */
  private inWorker: number[] = [];
  /** Spans of those batches that wait behind the one being exported. */
  private waitingInWorker = 0;
  /** Spans posted to the current worker. */
  private posted = 0;
  /** The current worker's cumulative counters. */
  private workerStats = { exported: 0, failed: 0 };
  /** Counters of earlier workers, and spans lost without one. */
  private settled = { exported: 0, failed: 0 };
  private dropped = 0;
  private droppedInStreak = 0;

  private nextFlushId = 0;
  private readonly flushes = new Map<number, () => void>();
  private onClosed: (() => void) | undefined;
  /** Flushes and the shutdown waiting for the worker: while > 0 it keeps the process alive. */
  private holds = 0;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: WorkerSpanProcessorOptions) {
    const maxQueueSize = options.maxQueueSize ?? options.config.max_queue_size;
    this.options = {
      maxQueueSize,
      maxExportBatchSize: Math.min(options.maxExportBatchSize ?? 512, maxQueueSize),
      scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
      exportTimeoutMillis: options.exportTimeoutMillis ?? 10_000,
      flushTimeoutMillis: options.flushTimeoutMillis ?? options.config.flush_timeout_ms,
    };
    this.workerData = {
      tracepackExportWorker: true,
      config: options.config,
      resource: { attributes: { ...options.resource.attributes }, schemaUrl: options.resource.schemaUrl },
      target: options.target,
      logLevel: options.logLevel ?? 'warn',
      exportTimeoutMs: this.options.exportTimeoutMillis,
    };
    this.worker = this.startWorker();
  }

  /** Spans exported and failed (in the worker) and dropped (queue full), so far. */
  stats(): TracingStats {
    return {
      exported: this.settled.exported + this.workerStats.exported,
      failed: this.settled.failed + this.workerStats.failed,
      dropped: this.dropped,
    };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutdownPromise) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.buffer.length + this.waitingInWorker >= this.options.maxQueueSize) {
      this.dropped++;
      this.droppedInStreak++;
      return;
    }
    if (this.droppedInStreak > 0) {
      diag.warn(`@tracepack/node: ${this.droppedInStreak} spans were dropped: the export queue (max_queue_size ${this.options.maxQueueSize}) was full.`);
      this.droppedInStreak = 0;
    }
    this.buffer.push(toSpanRecord(span, this.scopeIndex));
    if (this.buffer.length >= this.options.maxExportBatchSize) this.postBuffer();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.postBuffer, this.options.scheduledDelayMillis);
      this.timer.unref();
    }
  }

  /** Posts what is buffered and resolves once the worker has exported it (bounded). */
  forceFlush(): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.postBuffer();
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    const id = ++this.nextFlushId;
    this.send(worker, { type: 'flush', id });
    return this.waitForWorker(
      (done) => this.flushes.set(id, done),
      () => this.flushes.delete(id),
    );
  }

  /** Flushes, shuts the exporter down in the worker and stops it; idempotent, bounded. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    this.postBuffer();
    const worker = this.worker;
    if (!worker) return;
    this.send(worker, { type: 'shutdown' });
    await this.waitForWorker(
      (done) => (this.onClosed = done),
      () => (this.onClosed = undefined),
    );
    // Whatever the worker has not settled by now (a backend slower than the flush budget)
    // is lost: counted before the worker goes, so `stats()` is final when this resolves.
    this.retireWorker();
    await worker.terminate().catch(() => {});
  }

  /** Index of `scope` in the batch being built. A bound arrow: no closure per span. */
  private readonly scopeIndex = (scope: InstrumentationScope): number => {
    let index = this.scopeIndexes.get(scope);
    if (index === undefined) {
      index = this.scopes.length;
      this.scopes.push(toScopeRecord(scope));
      this.scopeIndexes.set(scope, index);
    }
    return index;
  };

  private readonly postBuffer = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const spans = this.buffer;
    if (spans.length === 0) return;
    const batch = { scopes: this.scopes, spans };
    this.buffer = [];
    this.scopes = [];
    this.scopeIndexes = new Map();
    const worker = this.worker;
    if (!worker) {
      this.settled.failed += spans.length;
      return;
    }
    if (!this.send(worker, { type: 'batch', batch })) {
      this.settled.failed += spans.length;
      return;
    }
    if (this.inWorker.length > 0) this.waitingInWorker += spans.length;
    this.inWorker.push(spans.length);
    this.posted += spans.length;
  };

  private send(worker: Worker, msg: ToWorker): boolean {
    try {
      worker.postMessage(msg);
      return true;
    } catch (err) {
      // A value that cannot be cloned (the SDK only lets primitives and arrays into attributes).
      diag.warn(`@tracepack/node: could not hand spans to the export thread (${(err as Error)?.name}); they are counted as failed.`);
      return false;
    }
  }

  private onMessage(worker: Worker, msg: FromWorker): void {
    if (worker !== this.worker) return;
    if (msg.type === 'log') {
      diag[msg.level](msg.message);
      return;
    }
    this.workerStats = { exported: msg.exported, failed: msg.failed };
    switch (msg.type) {
      case 'settled':
        this.inWorker.shift();
        if (this.inWorker.length > 0) this.waitingInWorker -= this.inWorker[0]!;
        return;
      case 'flushed':
        this.flushes.get(msg.id)?.();
        return;
      case 'closed':
        this.onClosed?.();
        return;
    }
  }

  private onWorkerGone(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    const lost = this.retireWorker();
    for (const done of [...this.flushes.values()]) done();
    this.onClosed?.();
    const restart = !this.shutdownPromise && this.restarts < MAX_RESTARTS;
    diag.warn(
      `@tracepack/node: the span export thread stopped (${reason}); ${lost} spans in it were lost. ` +
        (restart ? 'It was started again.' : 'Spans are counted as failed from now on.'),
    );
    if (restart) {
      this.restarts++;
      this.worker = this.startWorker();
    }
  }

  /** Detaches the current worker; what it has not settled counts as failed. Returns that count. */
  private retireWorker(): number {
    const lost = Math.max(0, this.posted - this.workerStats.exported - this.workerStats.failed);
    this.settled.exported += this.workerStats.exported;
    this.settled.failed += this.workerStats.failed + lost;
    this.workerStats = { exported: 0, failed: 0 };
    this.posted = 0;
    this.inWorker = [];
    this.waitingInWorker = 0;
    this.worker = undefined;
    return lost;
  }

  private startWorker(): Worker {
    // No execArgv: a `--require`/`--import` of @tracepack/node/register must not run in it
    // (with NODE_OPTIONS it still does; register checks `tracepackExportWorker` for that).
    const worker = new Worker(WORKER_SCRIPT, { workerData: this.workerData, execArgv: [] });
    worker.on('message', (msg: FromWorker) => this.onMessage(worker, msg));
    worker.on('error', (err: Error) => this.onWorkerGone(worker, describeError(err)));
    worker.on('exit', (code) => this.onWorkerGone(worker, `exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (this.holds === 0) worker.unref();
    return worker;
  }

  /**
   * Waits for an answer of the worker, at most `flushTimeoutMillis`; the worker is ref'ed
   * meanwhile, so that a flush from `beforeExit` is not cut short by the process ending.
   */
  private waitForWorker(register: (done: () => void) => void, unregister: () => void): Promise<void> {
    if (this.holds++ === 0) this.worker?.ref();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.flushTimeoutMillis);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      register(done);
    }).finally(() => {
      unregister();
      if (--this.holds === 0) this.worker?.unref();
    });
  }
}

function describeError(err: Error): string {
  const message = String(err?.message ?? '').split('\n')[0]!.slice(0, 160);
  return message ? `${err.name}: ${message}` : String(err?.name ?? err);
}
