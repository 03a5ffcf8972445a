import type { DiagLevelName } from '../diag-levels';
import type { ResolvedTracingConfig } from '@tracepack/config';
import type { ResourceRecord, SpanBatch } from './span-record';

/** What the export worker is started with (`workerData`). */
export interface ExportWorkerData {
  /** Marks the thread as tracepack's export worker: `register` does not start tracing in it. */
  tracepackExportWorker: true;
  /** The resolved config: the worker builds the provider's exporter from it. */
  config: ResolvedTracingConfig;
  /** Where spans go, as failure reports name it. */
  target: string;
  /** Level of the worker's diag logger; its lines are forwarded to the main thread's diag. */
  logLevel: DiagLevelName;
}

export type { DiagLevelName };

/** Main thread -> worker. */
export type ToWorker =
  /**
   * Export these spans now and answer with `result`. `resource` comes with the first batch
   * (once its asynchronously detected attributes have settled) and whenever it changes.
   */
  | { type: 'batch'; id: number; resource?: ResourceRecord; batch: SpanBatch }
  /**
   * The process is exiting and the main thread blocks until `results` is filled: settle the
   * batches `waitFor` (posted earlier; their answer may already be on its way), then export
   * `batches` (of `resource`) one after the other. See the layout below.
   */
  | { type: 'exit'; results: SharedArrayBuffer; waitFor: number[]; resource?: ResourceRecord; batches: SpanBatch[] }
  /** Shut the exporter down, then answer `closed`. */
  | { type: 'shutdown' };

/** Worker -> main thread. */
export type FromWorker =
  /** The answer of the exporter for batch `id`; `error` describes a failure. */
  | { type: 'result'; id: number; ok: boolean; error?: string }
  | { type: 'closed' }
  | { type: 'log'; level: DiagLevelName; message: string };

/**
 * Layout of the `exit` message's shared buffer (an Int32Array): index 0 counts the settled
 * slots (the main thread waits on it with Atomics.wait); slot i (index 1 + i) is the outcome
 * of `waitFor[i]`, then of `batches[i - waitFor.length]`: 0 not settled, 1 exported, 2 failed.
 */
export const EXIT_SETTLED = 0;
export const EXIT_EXPORTED = 1;
export const EXIT_FAILED = 2;
