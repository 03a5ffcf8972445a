// Fixtures of the encoder tests: spans built as plain ReadableSpans (every field under the
// test's control, including values the SDK's attribute checks would drop), and the comparison
// with upstream's serializer, the reference the lean encoder must match byte for byte.
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import assert from 'node:assert/strict';
import type { OtlpTraceEncoder } from '../src/index';

/** The fuzz seed (FUZZ_SEED=<integer> replaces it), as in the repo's other fuzz suites. */
export const FUZZ_SEED = process.env.FUZZ_SEED?.trim() ? Number(process.env.FUZZ_SEED) | 0 : 424242;

export interface SpanParts {
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
  traceState?: SpanContext['traceState'];
  parent?: SpanContext;
  name?: string;
  kind?: SpanKind;
  startTime?: HrTime;
  endTime?: HrTime;
  status?: SpanStatus;
  attributes?: Record<string, unknown>;
  links?: Link[];
  events?: TimedEvent[];
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  resource: Resource;
  scope: InstrumentationScope;
}

/** A finished span with exactly these fields (defaults: a valid sampled root SERVER span). */
export function makeSpan(p: SpanParts): ReadableSpan {
  const context: SpanContext = {
    traceId: p.traceId ?? '0af7651916cd43dd8448eb211c80319c',
    spanId: p.spanId ?? 'b7ad6b7169203331',
    traceFlags: p.traceFlags ?? 1,
    ...(p.traceState ? { traceState: p.traceState } : {}),
  };
  const startTime = p.startTime ?? [1_700_000_000, 123_456_789];
  return {
    name: p.name ?? 'GET /hello',
    kind: p.kind ?? 1,
    spanContext: () => context,
    parentSpanContext: p.parent,
    startTime,
    endTime: p.endTime ?? startTime,
    duration: [0, 0],
    status: p.status ?? { code: 0 },
    attributes: (p.attributes ?? {}) as Attributes,
    links: p.links ?? [],
    events: p.events ?? [],
    ended: true,
    resource: p.resource,
    instrumentationScope: p.scope,
    droppedAttributesCount: p.droppedAttributesCount ?? 0,
    droppedEventsCount: p.droppedEventsCount ?? 0,
    droppedLinksCount: p.droppedLinksCount ?? 0,
  };
}

/** Upstream's bytes for `spans` (the reference). */
export function upstreamBytes(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

/** Asserts that the lean encoder writes exactly upstream's bytes for `spans`. */
export function assertSameBytes(encoder: OtlpTraceEncoder, spans: ReadableSpan[], what = 'the batch'): void {
  const expected = upstreamBytes(spans);
  const actual = Buffer.from(encoder.encode(spans));
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  assert.fail(
    `${what}: ${actual.length} bytes, upstream ${expected.length}; first difference at byte ${at}\n` +
      `  lean:     ${actual.subarray(Math.max(0, at - 8), at + 16).toString('hex')}\n` +
      `  upstream: ${expected.subarray(Math.max(0, at - 8), at + 16).toString('hex')}`,
  );
}
