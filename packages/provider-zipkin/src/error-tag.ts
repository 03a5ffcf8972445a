// Why this file exists: Zipkin marks a span as failed by its `error` tag alone (the Lens UI
// paints the span red, and `error` is what its search finds). The upstream
// @opentelemetry/exporter-zipkin (transform.ts, `_toZipkinTags`) writes that tag only when the
// span's status is ERROR *and* has a message. Spans that follow the semantic conventions set
// ERROR without a message: an HTTP SERVER span of a 409 has `error.type=409` and status ERROR,
// no description. Zipkin then showed the failed request as fine (only the failing INSERT, whose
// status has the driver's message, was marked), while Jaeger marked it (`error=true`).
//
// So the exporter is wrapped: the upstream exporter gets, for each ERROR span without a
// message, a view of that span whose status message is its `error.type` attribute (or "ERROR"),
// so that it writes `error=<that>`. The view is `Object.create(span, …)`: every other field and
// method comes from the span through the prototype chain; the span is neither copied nor changed
// (other span processors may still hold it).
import { SpanStatusCode, type SpanStatus } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** The `error` tag's value when an ERROR span has neither a status message nor `error.type`. */
export const DEFAULT_ERROR_TAG = 'ERROR';

/**
 * `span` itself, or, when its status is ERROR without a message, a view of it whose status
 * message is its `error.type` attribute (else {@link DEFAULT_ERROR_TAG}).
 */
export function withErrorMessage(span: ReadableSpan): ReadableSpan {
  const status = span.status;
  if (status.code !== SpanStatusCode.ERROR || status.message) return span;
  const errorType = span.attributes['error.type'];
  const message = errorType == null || String(errorType) === '' ? DEFAULT_ERROR_TAG : String(errorType);
  const viewStatus: SpanStatus = { code: SpanStatusCode.ERROR, message };
  return Object.create(span, { status: { value: viewStatus, enumerable: true } }) as ReadableSpan;
}

/**
 * Wraps a Zipkin span exporter so that every span that ends with status ERROR carries the
 * `error` tag (see the comment at the top of this file). `shutdown` and `forceFlush` are the
 * wrapped exporter's.
 */
export class ErrorTagSpanExporter implements SpanExporter {
  private readonly _upstream: SpanExporter;

  constructor(upstream: SpanExporter) {
    this._upstream = upstream;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this._upstream.export(spans.map(withErrorMessage), resultCallback);
  }

  shutdown(): Promise<void> {
    return this._upstream.shutdown();
  }

  forceFlush(): Promise<void> {
    return this._upstream.forceFlush?.() ?? Promise.resolve();
  }
}
