export { createSpanCapture, assertSpan, parentSpanId, spanNamed } from './span-capture';
export type { SpanCapture, SpanExpectation } from './span-capture';
