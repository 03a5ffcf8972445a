import { context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, SpanKind, SpanStatusCode, TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import assert from 'node:assert/strict';

export interface SpanCapture {
  readonly exporter: InMemorySpanExporter;
  readonly provider: TracerProvider;
  /** Finished spans so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Waits until `count` spans matching `filter` have ended (or throws after `timeoutMs`). */
  waitForSpans(count: number, filter?: (s: ReadableSpan) => boolean, timeoutMs?: number): Promise<ReadableSpan[]>;
  reset(): void;
  shutdown(): Promise<void>;
}

export interface SpanCaptureOptions {
  /** The global propagator to install; W3C tracecontext when omitted. */
  propagator?: TextMapPropagator;
}

/**
 * Registers a global tracer provider whose spans land in memory. Call once per test file
 * (before the instrumented library is loaded), `reset()` before each test.
 */
export function createSpanCapture(options: SpanCaptureOptions = {}): SpanCapture {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(options.propagator ?? new W3CTraceContextPropagator());
  return {
    exporter,
    provider,
    spans: () => exporter.getFinishedSpans(),
    async waitForSpans(count, filter = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = exporter.getFinishedSpans().filter(filter);
        if (found.length >= count) return found;
        if (Date.now() > deadline) {
          const names = exporter.getFinishedSpans().map((s) => s.name);
          throw new Error(`expected ${count} spans, got ${found.length} (all: ${JSON.stringify(names)})`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset: () => exporter.reset(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export interface SpanExpectation {
  name?: string;
  kind?: SpanKind;
  status?: SpanStatusCode;
  /** Each listed attribute must equal the given value; `undefined` asserts absence. */
  attributes?: Attributes | Record<string, unknown>;
  parent?: ReadableSpan;
  /** Asserts the span is a root of its trace (no local parent). */
  root?: boolean;
}

/** The one span assertion every test uses. */
export function assertSpan(span: ReadableSpan | undefined, expected: SpanExpectation): asserts span {
  assert.ok(span, `span ${expected.name ?? ''} not found`);
  if (expected.name !== undefined) assert.equal(span.name, expected.name, 'span name');
  if (expected.kind !== undefined) assert.equal(span.kind, expected.kind, `kind of ${span.name}`);
  if (expected.status !== undefined) assert.equal(span.status.code, expected.status, `status of ${span.name}`);
  for (const [key, value] of Object.entries(expected.attributes ?? {})) {
    assert.deepEqual(span.attributes[key], value, `attribute ${key} of ${span.name}`);
  }
  if (expected.parent) {
    assert.equal(span.spanContext().traceId, expected.parent.spanContext().traceId, `trace of ${span.name}`);
    assert.equal(parentSpanId(span), expected.parent.spanContext().spanId, `parent of ${span.name}`);
  }
  if (expected.root) assert.equal(parentSpanId(span), undefined, `${span.name} should be a root span`);
}

/** The parent span id across SDK versions (`parentSpanContext` in 2.x, `parentSpanId` before). */
export function parentSpanId(span: ReadableSpan): string | undefined {
  const s = span as ReadableSpan & { parentSpanId?: string };
  return s.parentSpanContext?.spanId ?? s.parentSpanId;
}

/** Finds exactly one span with this name. */
export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  assert.equal(
    found.length,
    1,
    `expected one span named ${name}, got ${found.length} among ${JSON.stringify(spans.map((s) => s.name))}`,
  );
  return found[0]!;
}
