import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { Worker } from 'node:worker_threads';
import type { ExitSender, ExitSendResult } from '../types';
import { handOffAtExit, WORKER_SCRIPT, type PostedBatch } from './handoff';
import type { ExportWorkerData, FromWorker, ToWorker } from './messages';
import { toResourceRecord, toSpanBatch } from './span-record';

/** A worker that stops on its own is started again this many times; then exports fail at once. */
const MAX_RESTARTS = 1;

interface PendingExport {
  spans: ReadableSpan[];
  callback: (result: ExportResult) => void;
}

/**
 * A SpanExporter whose `export` runs in a worker thread: each batch becomes plain records
 * (see span-record.ts), crosses in one `postMessage`, and is exported there by the provider's
 * exporter, which the worker builds itself from the resolved config; the answer comes back
 * as the export's result. Everything else (queue, one export at a time, timeouts, counters,
 * reports) is BoundedBatchSpanProcessor's, as on the in-thread path.
 *
 * The worker never keeps the process alive when idle: it is ref'ed only while an export or
 * its shutdown waits for it. Should it die, the exports it held fail (once reported), and it
 * is started again (once). It is also the exit sender of its path: at `process.exit()` the
 * running worker takes the queue over (see handoff.ts).
 */
export class WorkerExporter implements SpanExporter, ExitSender {
  private worker: Worker | undefined;
  private restarts = 0;
  private nextId = 0;
  private readonly pending = new Map<number, PendingExport>();
  /** The resource the current worker has (sent with the first batch, and when it changes). */
  private sentResource: Resource | undefined;
  private onClosed: (() => void) | undefined;
  private shutdownPromise: Promise<void> | undefined;

  /** `shutdownTimeoutMs` bounds `shutdown()`: the worker is stopped then, answered or not. */
  constructor(
    private readonly data: ExportWorkerData,
    private readonly shutdownTimeoutMs: number,
  ) {
    this.worker = this.startWorker();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const worker = this.worker;
    if (this.shutdownPromise || !worker) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error(this.shutdownPromise ? 'the export thread is shut down' : 'the export thread is not running') });
      return;
    }
    const id = ++this.nextId;
    const resource = spans[0]?.resource;
    const message: ToWorker = { type: 'batch', id, batch: toSpanBatch(spans) };
    if (resource !== undefined && resource !== this.sentResource) message.resource = toResourceRecord(resource);
    try {
      worker.postMessage(message);
    } catch (err) {
      // A value that cannot be cloned (the SDK only lets primitives and arrays into attributes).
      resultCallback({ code: ExportResultCode.FAILED, error: new Error(`could not hand spans to the export thread (${(err as Error)?.name})`) });
      return;
    }
    this.sentResource = resource;
    this.pending.set(id, { spans, callback: resultCallback });
    if (this.pending.size === 1) worker.ref();
  }

  /** Exports answer one by one; the processor waits for them. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Shuts the exporter down in the worker and stops it, within `shutdownTimeoutMs`; idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  /** For the processor, at exit: the running worker settles `inFlight` and exports `batches`. */
  sendAtExit(inFlight: ReadableSpan[] | undefined, batches: ReadableSpan[][], deadline: number): ExitSendResult {
    const worker = this.worker;
    const posted: PostedBatch[] = [];
    let resend = batches;
    if (inFlight !== undefined) {
      const entry = [...this.pending].find(([, p]) => p.spans === inFlight);
      if (worker && entry) posted.push({ id: entry[0], count: inFlight.length });
      else resend = [inFlight, ...batches];
    }
    // A worker that is gone (crashed twice) cannot take anything over: a fresh one can.
    if (!worker) return handOffAtExit(new Worker(WORKER_SCRIPT, { workerData: this.data, execArgv: [] }), [], resend, deadline);
    return handOffAtExit(worker, posted, resend, deadline);
  }

  private async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.shutdownTimeoutMs);
      timer.unref();
      this.onClosed = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      worker.postMessage({ type: 'shutdown' } satisfies ToWorker);
    });
    this.onClosed = undefined;
    this.retire('shut down');
    await worker.terminate().catch(() => {});
  }

  private onMessage(worker: Worker, msg: FromWorker): void {
    if (worker !== this.worker) return;
    switch (msg.type) {
      case 'log':
        diag[msg.level](msg.message);
        return;
      case 'result': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (this.pending.size === 0 && !this.shutdownPromise) worker.unref();
        p.callback(msg.ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error(msg.error ?? 'export failed') });
        return;
      }
      case 'closed':
        this.onClosed?.();
        return;
    }
  }

  private onWorkerGone(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    const lost = this.retire(`the export thread stopped (${reason})`);
    this.onClosed?.();
    if (this.shutdownPromise) return;
    const restart = this.restarts < MAX_RESTARTS;
    diag.warn(
      `@tracepack/node: the span export thread stopped (${reason}); ${lost} spans in it were counted as failed. ` +
        (restart ? 'It was started again.' : 'Exports fail from now on.'),
    );
    if (restart) {
      this.restarts++;
      this.worker = this.startWorker();
    }
  }

  /** Detaches the current worker; the exports it held fail. Returns their span count. */
  private retire(reason: string): number {
    this.worker = undefined;
    this.sentResource = undefined;
    let lost = 0;
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const p of held) {
      lost += p.spans.length;
      p.callback({ code: ExportResultCode.FAILED, error: new Error(reason) });
    }
    return lost;
  }

  private startWorker(): Worker {
    // No execArgv: a `--require`/`--import` of @tracepack/node/register must not run in it
    // (with NODE_OPTIONS it still does; register checks `tracepackExportWorker` for that).
    const worker = new Worker(WORKER_SCRIPT, { workerData: this.data, execArgv: [] });
    worker.on('message', (msg: FromWorker) => this.onMessage(worker, msg));
    worker.on('error', (err: Error) => this.onWorkerGone(worker, describeError(err)));
    worker.on('exit', (code) => this.onWorkerGone(worker, `exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (this.pending.size === 0) worker.unref();
    return worker;
  }
}

function describeError(err: Error): string {
  const message = String(err?.message ?? '').split('\n')[0]!.slice(0, 160);
  return message ? `${err.name}: ${message}` : String(err?.name ?? err);
}
