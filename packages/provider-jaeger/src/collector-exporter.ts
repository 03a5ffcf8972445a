import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import type { ExporterConfig } from '@opentelemetry/exporter-jaeger';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { JaegerCollectorExporterOptions } from './types';
import { beginExport, describeError, FailureReporter, PACKAGE_NAME, redactUrl, withTimeout } from './utils';

const DEFAULT_TIMEOUT_MS = 10000;
const DEFAULT_FLUSH_TIMEOUT_MS = 5000;

/** jaeger-client's logger interface; silent, because failures are reported once through diag. */
const SILENT_LOGGER = { info(): void {}, error(): void {} };

/**
 * Binary Thrift `Batch` POSTed to a Jaeger collector (`/api/traces`) by
 * @opentelemetry/exporter-jaeger's HTTP sender, wrapped so that it keeps this package's
 * contract, which the bare exporter does not:
 * - exports run one at a time (jaeger-client's HTTPSender keeps one shared batch buffer);
 * - an export that never answers fails after `timeoutMs` (HTTPSender sets a socket timeout
 *   but never acts on it);
 * - after shutdown, export calls back FAILED (the bare exporter never calls back);
 * - failures are reported through diag once per streak, with the count of dropped spans
 *   (jaeger-client would log each one through its own logger).
 */
export class JaegerCollectorExporter implements SpanExporter {
  readonly endpoint: string;
  private readonly inner: JaegerExporter;
  private readonly timeoutMs: number;
  private readonly flushTimeoutMs: number;
  private readonly reporter: FailureReporter;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: JaegerCollectorExporterOptions) {
    this.endpoint = options.endpoint;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    const url = new URL(options.endpoint);
    const config: ExporterConfig & { logger: typeof SILENT_LOGGER; timeoutMs: number } = {
      endpoint: options.endpoint,
      // user:password in the URL becomes basic auth (HTTPSender ignores URL credentials).
      ...(url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}),
      // Every export flushes the sender, so its shutdown flush is always empty; a long
      // flushTimeout would only leave an uncleared timer keeping the process alive.
      flushTimeout: 1,
      logger: SILENT_LOGGER,
      timeoutMs: this.timeoutMs,
    };
    this.inner = new JaegerExporter(config);
    this.reporter = new FailureReporter(`the Jaeger collector at ${redactUrl(options.endpoint)}`, options.reportFailures ?? true);
  }

  /** Spans lost to failed exports so far. */
  get droppedSpans(): number {
    return this.reporter.droppedSpans;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const finish = beginExport(this.shutdownPromise !== undefined, spans.length, resultCallback);
    if (!finish) return;
    this.pending += 1;
    this.queue = this.queue
      .then(() => this.exportOne(spans))
      .then(finish)
      .finally(() => {
        this.pending -= 1;
      });
  }

  forceFlush(): Promise<void> {
    return this.drain();
  }

  /** Waits for queued exports (up to flushTimeoutMs), then closes the HTTP agent. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.drain()
      .then(() => this.inner.shutdown())
      .catch((err: unknown) => diag.debug(`${PACKAGE_NAME}: collector exporter shutdown: ${describeError(err)}`));
    return this.shutdownPromise;
  }

  private async drain(): Promise<void> {
    if (this.pending === 0) return;
    await withTimeout(this.queue, this.flushTimeoutMs);
  }

  private exportOne(spans: ReadableSpan[]): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      let settled = false;
      const settle = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result.code === ExportResultCode.SUCCESS) this.reporter.success();
        else this.reporter.failure(describeInnerError(result.error), spans.length);
        resolve(result);
      };
      const timer = setTimeout(() => {
        settle({ code: ExportResultCode.FAILED, error: new Error(`no answer within ${this.timeoutMs} ms`) });
      }, this.timeoutMs);
      try {
        this.inner.export(spans, settle);
      } catch (err) {
        settle({ code: ExportResultCode.FAILED, error: err as Error });
      }
    });
  }
}

/** jaeger-client's messages embed the error text; keep the useful tail, never a URL. */
function describeInnerError(err: Error | undefined): string {
  if (!err) return 'unknown error';
  const m = /(ECONN\w+|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|HTTP \d{3})/.exec(err.message);
  return m ? m[1]! : describeError(err);
}
