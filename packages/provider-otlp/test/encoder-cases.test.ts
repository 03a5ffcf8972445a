// Hand-picked batches the lean encoder must write exactly as upstream's serializer does:
// real SDK spans (remote and local parents, links, events, trace state, several resources
// and scopes interleaved), and hand-built ones with values the SDK would refuse (nested
// arrays, kvlists) or that sit on an encoding edge (lengths needing 2, 3 and 4 bytes).
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { sampleSpans } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OtlpTraceEncoder } from '../src/index';
import { assertSameBytes, makeSpan, upstreamBytes } from './encoder-helpers';

const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2.3' });
const scope = { name: 'tracepack-test', version: '0.0.1' };

function recordingProvider(attributes: Record<string, string>, memory: InMemorySpanExporter): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
}

describe('lean OTLP encoder: SDK spans', () => {
  it("the provider tests' sample trace", () => {
    assertSameBytes(new OtlpTraceEncoder(), sampleSpans());
  });

  it('remote parent, local parent, no parent; links with attributes and trace state; events; every kind and status', () => {
    const memory = new InMemorySpanExporter();
    const tracer = recordingProvider({ 'service.name': 'a' }, memory).getTracer('t', '1');
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('vendor=abc,other=1'),
    });
    const server = tracer.startSpan(
      'GET /users/:id',
      { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 200 } },
      remote,
    );
    const linked = tracer.startSpan('job', {
      kind: SpanKind.CONSUMER,
      links: [
        { context: server.spanContext(), attributes: { 'link.reason': 'follows', n: -3 } },
        {
          context: {
            traceId: '0af7651916cd43dd8448eb211c80319c',
            spanId: 'b7ad6b7169203331',
            traceFlags: 0,
            isRemote: true,
          },
        },
      ],
    });
    const child = tracer.startSpan('SELECT users', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), server));
    child.addEvent('exception', { 'exception.type': 'Error', 'exception.message': 'boom' });
    child.addEvent('bare');
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    tracer.startSpan('produce', { kind: SpanKind.PRODUCER }).end();
    tracer.startSpan('internal', { kind: SpanKind.INTERNAL }).setStatus({ code: SpanStatusCode.OK }).end();
    linked.end();
    server.end();
    const spans = memory.getFinishedSpans();
    assert.equal(spans.length, 5);
    assert.ok(spans.some((s) => s.parentSpanContext?.isRemote));
    assertSameBytes(new OtlpTraceEncoder(), spans);
  });

  it('several resources and scopes in one batch, interleaved, group as upstream groups them', () => {
    const memory = new InMemorySpanExporter();
    const p1 = recordingProvider({ 'service.name': 'one' }, memory);
    const p2 = recordingProvider({ 'service.name': 'two', 'deployment.environment.name': 'prod' }, memory);
    const tracers = [
      p1.getTracer('http', '1.0.0'),
      p2.getTracer('pg'),
      p1.getTracer('pg', '2.0.0'),
      p2.getTracer('http', '1.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }),
    ];
    for (let i = 0; i < 24; i++) tracers[(i * 7) % 4]!.startSpan(`span ${i}`).end();
    const spans = memory.getFinishedSpans();
    assert.equal(new Set(spans.map((s) => s.resource)).size, 2);
    assert.equal(new Set(spans.map((s) => s.instrumentationScope)).size, 4);
    assertSameBytes(new OtlpTraceEncoder(), spans);
  });
});

describe('lean OTLP encoder: hand-built spans', () => {
  const encoder = new OtlpTraceEncoder();
  const one = (
    attributes: Record<string, unknown>,
    extra: Partial<Parameters<typeof makeSpan>[0]> = {},
  ): ReadableSpan[] => [makeSpan({ resource, scope, attributes, ...extra })];

  it('an empty batch is an empty request', () => {
    assert.equal(upstreamBytes([]).length, 0);
    assert.equal(encoder.encode([]).length, 0);
  });

  it('empty attributes, empty name, empty status message, no parent, kind undefined', () => {
    assertSameBytes(
      encoder,
      one({}, { name: '', status: { code: SpanStatusCode.UNSET, message: '' }, kind: undefined as never }),
    );
  });

  it('unicode: names, keys and values in every UTF-8 length, and lone surrogates', () => {
    assertSameBytes(
      encoder,
      one(
        {
          'é.ключ': 'naïve',
          中文: '漢字かな',
          emoji: '🙂👍🏽',
          lone: 'a\ud800b',
          trail: '\udfff',
          mix: `x${'é'.repeat(100)}`,
        },
        { name: 'GET /café/🙂' },
      ),
    );
  });

  it('numbers: huge and negative integers, NaN, ±Infinity, -0, fractions', () => {
    assertSameBytes(
      encoder,
      one({
        big: 2 ** 53 + 2,
        i63: 2 ** 62,
        max: 2 ** 63,
        min: -(2 ** 63),
        neg: -1,
        neg32: -(2 ** 31),
        neg40: -(2 ** 40),
        nan: NaN,
        inf: Infinity,
        ninf: -Infinity,
        nz: -0,
        frac: 0.1,
        tiny: 5e-324,
      }),
    );
  });

  it('nested arrays, kvlists, bytes, null and undefined values', () => {
    assertSameBytes(
      encoder,
      one({
        list: ['a', 1, 2.5, true, null, undefined, ['nested', ['deeper', []]], { k: 'v' }],
        empty: [],
        kv: { a: 1, b: { c: [1, 2] }, '0': 'numeric key first' },
        bytes: new Uint8Array([0, 1, 255]),
        buf: Buffer.from('hello'),
        nil: null,
        undef: undefined,
      }),
    );
  });

  it('dropped counts, big ones too; odd trace flags; a span of 20 KB (3-byte length)', () => {
    assertSameBytes(
      encoder,
      one(
        { blob: 'x'.repeat(20_000) },
        { droppedAttributesCount: 3, droppedEventsCount: 2 ** 32 - 1, droppedLinksCount: 128, traceFlags: 0x1ff },
      ),
    );
  });

  it('a 3 MB batch (4-byte lengths, the buffer grows), then a small one from the same encoder', () => {
    const big = Array.from({ length: 600 }, (_, i) =>
      makeSpan({ resource, scope, name: `s${i}`, attributes: { payload: 'y'.repeat(5000), i } }),
    );
    assertSameBytes(encoder, big, '3 MB batch');
    assertSameBytes(encoder, sampleSpans(), 'small batch after it');
  });

  it('a resource with async attributes: before and after they settle', async () => {
    const pending = resourceFromAttributes({ 'service.name': 'late', 'host.id': Promise.resolve('h-1') });
    assert.equal(pending.asyncAttributesPending, true);
    assertSameBytes(encoder, one({ a: 1 }, { resource: pending }), 'pending');
    assert.ok(!Buffer.from(encoder.encode(one({ a: 1 }, { resource: pending }))).includes('h-1'));
    await pending.waitForAsyncAttributes?.();
    // Not the bytes encoded while it was pending: those were never cached.
    assertSameBytes(encoder, one({ a: 1 }, { resource: pending }), 'settled');
    assert.ok(Buffer.from(encoder.encode(one({ a: 1 }, { resource: pending }))).includes('h-1'));
  });
});
