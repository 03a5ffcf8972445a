import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Counters a service (or a benchmark) can read: nothing is lost silently. */
export interface ExportStats {
  /** Spans the backend accepted. */
  exported: number;
  /** Spans lost because the backend failed or refused them. */
  failed: number;
}

/**
 * Wraps a provider's exporter: counts what was shipped and what was lost, and reports a
 * failing backend ONCE per failure streak (and once when it is back, with the count), so a
 * dead backend does not flood the service's log. The batch processor is told the export
 * succeeded once the loss is counted here, so it does not report every batch again.
 */
export class ReportingExporter implements SpanExporter {
  readonly stats: ExportStats = { exported: 0, failed: 0 };
  private failing = false;
  private failedInStreak = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly target: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) this.succeeded(spans.length);
      else this.lost(spans.length, result.error);
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }

  private succeeded(count: number): void {
    this.stats.exported += count;
    if (this.failing) {
      diag.warn(`@tracepack/node: exporting to ${this.target} works again; ${this.failedInStreak} spans were dropped while it failed.`);
      this.failing = false;
      this.failedInStreak = 0;
    }
  }

  private lost(count: number, error: Error | undefined): void {
    this.stats.failed += count;
    this.failedInStreak += count;
    if (!this.failing) {
      this.failing = true;
      diag.warn(`@tracepack/node: cannot export spans to ${this.target} (${describe(error)}); dropping them until it is back. Reported once; the count follows when it recovers and at shutdown.`);
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function describe(error: Error | undefined): string {
  if (!error) return 'export failed';
  const code = (error as NodeJS.ErrnoException).code;
  // Messages from HTTP clients can carry URLs with credentials: keep the code and a short message.
  const message = String(error.message ?? '').split('\n')[0]!.replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 160);
  return code ? `${code}: ${message}` : message || error.name;
}
