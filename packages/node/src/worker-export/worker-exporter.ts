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
  private _worker: Worker | undefined;
  private _restarts = 0;
  private _nextId = 0;
  private readonly _pending = new Map<number, PendingExport>();
  /** The resource the current worker has (sent with the first batch, and when it changes). */
  private _sentResource: Resource | undefined;
  private _onClosed: (() => void) | undefined;
  private _shutdownPromise: Promise<void> | undefined;

  /** `shutdownTimeoutMs` bounds `shutdown()`: the worker is stopped then, answered or not. */
  constructor(
    private readonly _data: ExportWorkerData,
    private readonly _shutdownTimeoutMs: number,
  ) {
    this._worker = this._startWorker();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const worker = this._worker;
    if (this._shutdownPromise || !worker) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error(this._shutdownPromise ? 'the export thread is shut down' : 'the export thread is not running'),
      });
      return;
    }
    const id = ++this._nextId;
    const resource = spans[0]?.resource;
    const message: ToWorker = { type: 'batch', id, batch: toSpanBatch(spans) };
    if (resource !== undefined && resource !== this._sentResource) message.resource = toResourceRecord(resource);
    try {
      worker.postMessage(message);
    } catch (err) {
      // A value that cannot be cloned (the SDK only lets primitives and arrays into attributes).
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error(`could not hand spans to the export thread (${(err as Error)?.name})`),
      });
      return;
    }
    this._sentResource = resource;
    this._pending.set(id, { spans, callback: resultCallback });
    if (this._pending.size === 1) worker.ref();
  }

  /** Exports answer one by one; the processor waits for them. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Shuts the exporter down in the worker and stops it, within `shutdownTimeoutMs`; idempotent. */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= this._close();
    return this._shutdownPromise;
  }

  /** For the processor, at exit: the running worker settles `inFlight` and exports `batches`. */
  sendAtExit(inFlight: ReadableSpan[] | undefined, batches: ReadableSpan[][], deadline: number): ExitSendResult {
    const worker = this._worker;
    const posted: PostedBatch[] = [];
    let resend = batches;
    if (inFlight !== undefined) {
      const entry = [...this._pending].find(([, p]) => p.spans === inFlight);
      if (worker && entry) posted.push({ id: entry[0], count: inFlight.length });
      else resend = [inFlight, ...batches];
    }
    // A worker that is gone (crashed twice) cannot take anything over: a fresh one can.
    if (!worker)
      return handOffAtExit(new Worker(WORKER_SCRIPT, { workerData: this._data, execArgv: [] }), [], resend, deadline);
    return handOffAtExit(worker, posted, resend, deadline);
  }

  private async _close(): Promise<void> {
    const worker = this._worker;
    if (!worker) return;
    worker.ref();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this._shutdownTimeoutMs);
      timer.unref();
      this._onClosed = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      worker.postMessage({ type: 'shutdown' } satisfies ToWorker);
    });
    this._onClosed = undefined;
    this._retire('shut down');
    await worker.terminate().catch(() => {});
  }

  private _onMessage(worker: Worker, msg: FromWorker): void {
    if (worker !== this._worker) return;
    switch (msg.type) {
      case 'log':
        diag[msg.level](msg.message);
        return;
      case 'result': {
        const p = this._pending.get(msg.id);
        if (!p) return;
        this._pending.delete(msg.id);
        if (this._pending.size === 0 && !this._shutdownPromise) worker.unref();
        p.callback(
          msg.ok
            ? { code: ExportResultCode.SUCCESS }
            : { code: ExportResultCode.FAILED, error: new Error(msg.error ?? 'export failed') },
        );
        return;
      }
      case 'closed':
        this._onClosed?.();
        return;
    }
  }

  private _onWorkerGone(worker: Worker, reason: string): void {
    if (worker !== this._worker) return;
    const lost = this._retire(`the export thread stopped (${reason})`);
    this._onClosed?.();
    if (this._shutdownPromise) return;
    const restart = this._restarts < MAX_RESTARTS;
    diag.warn(
      `@tracepack/node: the span export thread stopped (${reason}); ${lost} spans in it were counted as failed. ` +
        (restart ? 'It was started again.' : 'Exports fail from now on.'),
    );
    if (restart) {
      this._restarts++;
      this._worker = this._startWorker();
    }
  }

  /** Detaches the current worker; the exports it held fail. Returns their span count. */
  private _retire(reason: string): number {
    this._worker = undefined;
    this._sentResource = undefined;
    let lost = 0;
    const held = [...this._pending.values()];
    this._pending.clear();
    for (const p of held) {
      lost += p.spans.length;
      p.callback({ code: ExportResultCode.FAILED, error: new Error(reason) });
    }
    return lost;
  }

  private _startWorker(): Worker {
    // No execArgv: a `--require`/`--import` of @tracepack/node/register must not run in it
    // (with NODE_OPTIONS it still does; register checks `tracepackExportWorker` for that).
    const worker = new Worker(WORKER_SCRIPT, { workerData: this._data, execArgv: [] });
    worker.on('message', (msg: FromWorker) => this._onMessage(worker, msg));
    worker.on('error', (err: Error) => this._onWorkerGone(worker, describeError(err)));
    worker.on('exit', (code) => this._onWorkerGone(worker, `exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (this._pending.size === 0) worker.unref();
    return worker;
  }
}

function describeError(err: Error): string {
  const message = String(err?.message ?? '')
    .split('\n')[0]!
    .slice(0, 160);
  return message ? `${err.name}: ${message}` : String(err?.name ?? err);
}
