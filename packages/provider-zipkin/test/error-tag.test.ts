// Zipkin marks a span failed by its `error` tag alone: every span that ends with status ERROR
// must carry it on the wire, also when the status has no message (HTTP SERVER spans of the
// semantic conventions), and a span that did not fail must not.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { startZipkinReceiver } from '@tracepack/testing';
import type { ZipkinReceiver, ZipkinSpan } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createProvider } from '../src/index';
import { resolveConfig, tracerProviderFor } from './helpers';

let receiver: ZipkinReceiver;
before(async () => {
  receiver = await startZipkinReceiver();
});
after(() => receiver.stop());
beforeEach(() => {
  receiver.reset();
  receiver.mode = 'ok';
});

/** Records one span per entry through the provider's exporter; resolves with what Zipkin received, by name. */
async function sendSpans(
  record: (startSpan: (name: string, kind: SpanKind, attributes?: Record<string, string | number>) => Span) => void,
): Promise<Map<string, ZipkinSpan>> {
  const setup = createProvider(
    resolveConfig({ provider: 'zipkin', providers: { zipkin: { server_url: receiver.url } } }),
  );
  const provider = tracerProviderFor(setup);
  const tracer = provider.getTracer('tracepack-test');
  let count = 0;
  record((name, kind, attributes) => {
    count++;
    return tracer.startSpan(name, { kind, attributes });
  });
  await provider.forceFlush();
  await provider.shutdown();
  const spans = await receiver.waitForSpans(count);
  return new Map(spans.map((s) => [s.name, s]));
}

function named(spans: Map<string, ZipkinSpan>, name: string): ZipkinSpan {
  const span = spans.get(name);
  assert.ok(span, `no span named ${name} among ${[...spans.keys()].join(', ')}`);
  return span;
}

describe('zipkin: the error tag', () => {
  it('an ERROR span without a status message gets `error` = its error.type (the 409 SERVER span)', async () => {
    let server: Span | undefined;
    const spans = await sendSpans((start) => {
      server = start('POST /clients', SpanKind.SERVER, {
        'http.request.method': 'POST',
        'http.route': '/clients',
        'http.response.status_code': 409,
        'error.type': '409',
      });
      server.setStatus({ code: SpanStatusCode.ERROR }); // what the HTTP instrumentation does: no message
      server.end();
    });
    const root = named(spans, 'POST /clients');
    assert.equal(root.kind, 'SERVER');
    assert.equal(root.tags['otel.status_code'], 'ERROR');
    assert.equal(root.tags['error.type'], '409');
    assert.equal(root.tags.error, '409');
    // The rest of the span reaches Zipkin as before (read through the view).
    assert.equal(root.id, server!.spanContext().spanId);
    assert.equal(root.traceId, server!.spanContext().traceId);
    assert.equal(root.tags['http.response.status_code'], '409');
    assert.equal(root.tags['service.name'], 'checkout');
    assert.ok(root.duration >= 0 && root.timestamp > 1_600_000_000_000_000);
    // The span itself was not changed: other processors see the status it ended with.
    const readable = server as unknown as ReadableSpan;
    assert.deepEqual(readable.status, { code: SpanStatusCode.ERROR });
  });

  it('an ERROR span without message nor error.type gets `error` = "ERROR"; a message is kept as it is', async () => {
    const spans = await sendSpans((start) => {
      const bare = start('bare failure', SpanKind.INTERNAL);
      bare.setStatus({ code: SpanStatusCode.ERROR });
      bare.end();
      const described = start('INSERT clients', SpanKind.CLIENT, { 'error.type': '23505' });
      described.setStatus({ code: SpanStatusCode.ERROR, message: 'duplicate key value violates unique constraint' });
      described.end();
    });
    assert.equal(named(spans, 'bare failure').tags.error, 'ERROR');
    assert.equal(named(spans, 'bare failure').tags['otel.status_code'], 'ERROR');
    assert.equal(named(spans, 'INSERT clients').tags.error, 'duplicate key value violates unique constraint');
  });

  it('an OK span and an UNSET span (even with an error.type attribute) get no `error` tag', async () => {
    const spans = await sendSpans((start) => {
      const ok = start('GET /clients/:id', SpanKind.SERVER, { 'http.response.status_code': 200 });
      ok.setStatus({ code: SpanStatusCode.OK });
      ok.end();
      const unset = start('bcrypt.hash', SpanKind.INTERNAL, { 'error.type': 'not-a-failure' });
      unset.end();
    });
    const ok = named(spans, 'GET /clients/:id');
    assert.equal(ok.tags['otel.status_code'], 'OK');
    assert.equal(ok.tags.error, undefined);
    const unset = named(spans, 'bcrypt.hash');
    assert.equal(unset.tags['otel.status_code'], undefined);
    assert.equal(unset.tags.error, undefined);
  });
});
