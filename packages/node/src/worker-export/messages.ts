import type { DiagLevelName } from '../diag-levels';
import type { ResolvedTracingConfig } from '@tracepack/config';
import type { ExportStats } from '../reporting-exporter';
import type { SpanBatch } from './span-record';

/** What the export worker is started with (`workerData`). */
export interface ExportWorkerData {
  /** Marks the thread as tracepack's export worker: `register` does not start tracing in it. */
  tracepackExportWorker: true;
  /** The resolved config: the worker builds the provider's exporter from it. */
  config: ResolvedTracingConfig;
  /** The provider's resource, sent once (spans do not carry it). */
  resource: { attributes: Record<string, unknown>; schemaUrl: string | undefined };
  /** Where spans go, as failure reports name it. */
  target: string;
  /** Level of the worker's diag logger; its lines are forwarded to the main thread's diag. */
  logLevel: DiagLevelName;
  /** An export that has not answered after this long no longer holds up the next batch. */
  exportTimeoutMs: number;
}

export type { DiagLevelName };

/** Main thread -> worker. */
export type ToWorker =
  | { type: 'batch'; batch: SpanBatch }
  /** Answered with `flushed` once every batch sent before it is settled. */
  | { type: 'flush'; id: number }
  /** Answered with `closed` once every batch is settled and the exporter is shut down. */
  | { type: 'shutdown' };

/**
 * Worker -> main thread. Every message carries the worker's cumulative counters, so a late
 * answer can never be counted twice.
 */
export type FromWorker =
  /** One batch is settled (exported, failed, or its export timed out). */
  | ({ type: 'settled' } & ExportStats)
  /** Counters changed outside a batch (an export answered after its timeout). */
  | ({ type: 'stats' } & ExportStats)
  | ({ type: 'flushed'; id: number } & ExportStats)
  | ({ type: 'closed' } & ExportStats)
  | { type: 'log'; level: DiagLevelName; message: string };
