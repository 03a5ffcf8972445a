/**
 * The last spans at `process.exit()`.
 *
 * 'exit' listeners run synchronously and the event loop never turns again: an export started
 * there never gets its answer (nor sends its request). So the spans still queued are handed to
 * a worker thread, which exports them with its own event loop, while this thread blocks in
 * `Atomics.wait` on a shared buffer that the worker fills as each batch settles, up to the
 * flush bound. The exit code and the process's own behaviour are untouched: nothing after
 * `exit()` runs, as without tracing.
 *
 * Two other designs were measured and set aside (numbers in the package README):
 * - wrapping `process.exit` to flush asynchronously and exit afterwards: the code after the
 *   `exit()` call would keep running meanwhile, which no service expects;
 * - `spawnSync` of a small sender process: about as fast to start as a worker, but it needs
 *   the spans serialized for a pipe, inherits NODE_OPTIONS (`--require .../register` would
 *   trace the sender), depends on being allowed to spawn, and cannot take over an export
 *   that the export thread already has under way.
 * With the export thread (TRACEPACK_EXPORT_THREAD=1) the worker is already running: it takes
 * the rest over with nothing to start, and settles the batch it is exporting. In-thread, a
 * worker running the same script is started at exit, and the batch whose answer was still
 * awaited is sent again (the backend may see it twice; it is never counted twice).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExitSender, ExitSendResult } from '../types';
import { EXIT_EXPORTED, EXIT_FAILED, EXIT_SETTLED, type ExportWorkerData, type ToWorker } from './messages';
import { toResourceRecord, toSpanBatch } from './span-record';

export const WORKER_SCRIPT = join(__dirname, 'export-worker.js');

/** A batch the worker already has: its id, and how many spans it holds. */
export interface PostedBatch {
  id: number;
  count: number;
}

/**
 * Hands `batches` to `worker` (and asks it to settle `posted`), then blocks until every one
 * is settled or `deadline` (a performance.now() time) passes. Synchronous.
 */
export function handOffAtExit(
  worker: Worker,
  posted: PostedBatch[],
  batches: ReadableSpan[][],
  deadline: number,
): ExitSendResult {
  const counts = [...posted.map((p) => p.count), ...batches.map((b) => b.length)];
  const slots = new Int32Array(new SharedArrayBuffer(4 * (1 + counts.length)));
  const resource = batches[0]?.[0]?.resource;
  const message: ToWorker = {
    type: 'exit',
    results: slots.buffer as SharedArrayBuffer,
    waitFor: posted.map((p) => p.id),
    batches: batches.map(toSpanBatch),
  };
  if (resource) message.resource = toResourceRecord(resource);
  worker.postMessage(message);
  for (;;) {
    const settled = Atomics.load(slots, EXIT_SETTLED);
    if (settled >= counts.length) break;
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(slots, EXIT_SETTLED, settled, left);
  }
  const result: ExitSendResult = { exported: 0, failed: 0, unsettled: 0 };
  counts.forEach((count, i) => {
    const outcome = Atomics.load(slots, 1 + i);
    if (outcome === EXIT_EXPORTED) result.exported += count;
    else if (outcome === EXIT_FAILED) result.failed += count;
    else result.unsettled += count;
  });
  return result;
}

/**
 * The exit sender of the in-thread path: starts an export worker at exit (nothing runs before,
 * so it costs nothing until then) and hands it the rest, the unanswered batch included.
 */
export class ExitThreadSender implements ExitSender {
  constructor(private readonly _data: ExportWorkerData) {}

  sendAtExit(inFlight: ReadableSpan[] | undefined, batches: ReadableSpan[][], deadline: number): ExitSendResult {
    const worker = new Worker(WORKER_SCRIPT, { workerData: this._data, execArgv: [] });
    worker.unref();
    return handOffAtExit(worker, [], inFlight ? [inFlight, ...batches] : batches, deadline);
  }
}
