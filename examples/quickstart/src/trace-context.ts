import { randomBytes } from 'node:crypto';

/** A W3C trace context of our own: the tour knows each request's trace id in advance. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** `00-<trace id>-<span id>-01` (sampled). */
  header: string;
}

export function newTraceParent(): TraceParent {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}
