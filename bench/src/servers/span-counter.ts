import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Counts the spans the SDK ended (sampled ones: unsampled spans never reach processors), so
 * the bench can compare what was created with what the receiver decoded.
 */
export class SpanCounter implements SpanProcessor {
  ended = 0;

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(_span: ReadableSpan): void {
    this.ended++;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
