import { maskUrlSecrets } from '@tracepack/config';
import { ProblemReporter } from '@tracepack/core';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Counters a service (or a benchmark) can read: nothing is lost silently. */
export interface ExportStats {
  /** Spans the backend accepted. */
  exported: number;
  /** Spans lost because the backend failed or refused them. */
  failed: number;
}

/** The one problem key of a FailureStreak. */
const EXPORT_PROBLEM = 'export';

/**
 * Reports a failing backend ONCE per failure streak (and once when it is back, with the count
 * of spans lost meanwhile), so that a dead backend does not flood the service's log. Used by
 * the span processor (both export paths) and by {@link ReportingExporter}. The streak itself is
 * @tracepack/core's ProblemReporter, the one every package uses; this names the lines.
 */
export class FailureStreak {
  private readonly _reporter: ProblemReporter;

  constructor(target: string) {
    this._reporter = new ProblemReporter({
      packageName: '@tracepack/node',
      level: 'warn',
      recoveryLevel: 'warn',
      startLine: ({ detail }) =>
        `cannot export spans to ${target} (${detail}); dropping them until it is back. ` +
        'Reported once; the count follows when it recovers and at shutdown.',
      recoveryLine: ({ count }) => `exporting to ${target} works again; ${count} spans were dropped while it failed.`,
    });
  }

  failed(count: number, error: Error | undefined): void {
    // The reason is only read for the line that opens a streak (it is masked, which costs).
    const detail = this._reporter.isFailing(EXPORT_PROBLEM) ? '' : describeExportError(error);
    this._reporter.failure(EXPORT_PROBLEM, { count, detail });
  }

  succeeded(): void {
    this._reporter.success(EXPORT_PROBLEM);
  }
}

/**
 * Wraps a provider's exporter: counts what was shipped and what was lost, and reports a
 * failing backend once per failure streak ({@link FailureStreak}). The caller is told the
 * export succeeded once the loss is counted here, so that it does not report every batch
 * again. Start-up uses it for the `console` provider (one span at a time); the batching
 * providers go through BoundedBatchSpanProcessor, which counts and reports by itself.
 */
export class ReportingExporter implements SpanExporter {
  readonly stats: ExportStats = { exported: 0, failed: 0 };
  private readonly _streak: FailureStreak;

  constructor(
    private readonly _inner: SpanExporter,
    target: string,
  ) {
    this._streak = new FailureStreak(target);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        this.stats.exported += spans.length;
        this._streak.succeeded();
      } else {
        this.stats.failed += spans.length;
        this._streak.failed(spans.length, result.error);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this._inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this._inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this._inner.shutdown();
  }
}

/** A short, credential-free description of an export error, for a report line. */
export function describeExportError(error: Error | undefined): string {
  if (!error) return 'export failed';
  const code = (error as NodeJS.ErrnoException).code;
  // Messages from HTTP clients can carry URLs with credentials or tokens: keep the code and a
  // short message, masked before it is cut (a cut could split a URL's user info).
  const message = maskUrlSecrets(
    String(error.message ?? '')
      .split('\n')[0]!
      .replace(/\/\/[^/@\s]*@/g, '//***@'),
  ).slice(0, 160);
  return code ? `${code}: ${message}` : message || error.name;
}
