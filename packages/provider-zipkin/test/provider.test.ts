import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startZipkinReceiver } from '@tracepack/testing';
import type { ZipkinReceiver, ZipkinSpan } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createProvider } from '../src/index';
import {
  delay,
  exportOnce,
  recordSampleTrace,
  resolveConfig,
  sampleSpans,
  SERVICE,
  tracerProviderFor,
} from './helpers';

let receiver: ZipkinReceiver;
before(async () => {
  receiver = await startZipkinReceiver();
});
after(() => receiver.stop());
beforeEach(() => {
  receiver.reset();
  receiver.mode = 'ok';
});

function zipkinSetup(zipkin: Record<string, unknown> = {}) {
  return createProvider(
    resolveConfig({ provider: 'zipkin', providers: { zipkin: { server_url: receiver.url, ...zipkin } } }),
  );
}

function byName(spans: ZipkinSpan[], name: string): ZipkinSpan {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, `no span named ${name} among ${spans.map((x) => x.name).join(', ')}`);
  return s;
}

describe('zipkin', () => {
  it('exports the trace as Zipkin v2 JSON: ids, parent, kind, tags, status, annotation, service', async () => {
    const provider = tracerProviderFor(zipkinSetup());
    const ids = recordSampleTrace(provider);
    await provider.forceFlush();
    await provider.shutdown();
    const spans = await receiver.waitForSpans(2);
    assert.equal(spans.length, 2);
    assert.ok(receiver.requests.every((r) => r.path === '/api/v2/spans' && r.contentType === 'application/json'));

    const root = byName(spans, 'POST /login');
    assert.equal(root.traceId, ids.traceId);
    assert.equal(root.id, ids.rootId);
    assert.equal(root.parentId, undefined);
    assert.equal(root.kind, 'SERVER');
    assert.equal(root.localEndpoint.serviceName, SERVICE);
    assert.ok(root.timestamp > 1_600_000_000_000_000, 'timestamp in epoch microseconds');
    assert.ok(root.duration >= 0);
    // Zipkin tags are strings: numbers, booleans and arrays are stringified.
    assert.equal(root.tags['http.request.method'], 'POST');
    assert.equal(root.tags['http.route'], '/login');
    assert.equal(root.tags['http.response.status_code'], '500');
    assert.equal(root.tags['tracepack.test.flag'], 'true');
    assert.equal(root.tags['tracepack.test.list'], 'a,b');
    assert.equal(root.tags['otel.status_code'], 'ERROR');
    assert.equal(root.tags.error, 'Internal Server Error');
    // Resource attributes travel as tags of every span.
    assert.equal(root.tags['service.name'], SERVICE);
    assert.equal(root.tags['service.version'], '1.2.3');
    for (const tag of Object.values(root.tags)) assert.equal(typeof tag, 'string');

    const child = byName(spans, 'bcrypt.compare');
    assert.equal(child.traceId, ids.traceId);
    assert.equal(child.id, ids.childId);
    assert.equal(child.parentId, ids.rootId);
    assert.equal(child.kind, undefined, 'INTERNAL has no Zipkin kind');
    assert.equal(child.localEndpoint.serviceName, SERVICE);
    assert.equal(child.tags['bcrypt.work_factor'], '10');
    assert.equal(child.tags['otel.status_code'], undefined);
    assert.equal(child.tags.error, undefined);
    assert.deepEqual(
      child.annotations?.map((a) => a.value),
      ['bcrypt.hashed'],
    );
    assert.ok(child.annotations![0]!.timestamp >= child.timestamp);
    assert.ok(child.timestamp >= root.timestamp);
  });

  it('sampling_ratio 0: no span is exported, no request is made', async () => {
    const provider = tracerProviderFor(zipkinSetup({ sampling: { sampling_ratio: 0 } }));
    recordSampleTrace(provider);
    await provider.forceFlush();
    await provider.shutdown();
    await delay(100);
    assert.equal(receiver.spanCount, 0);
    assert.equal(receiver.requests.length, 0);
  });

  it('sampling_ratio 1 (the default): every trace is exported', async () => {
    const provider = tracerProviderFor(zipkinSetup());
    for (let i = 0; i < 20; i++) recordSampleTrace(provider);
    await provider.forceFlush();
    await provider.shutdown();
    await receiver.waitForSpans(40);
    assert.equal(new Set(receiver.spans.map((s) => s.traceId)).size, 20);
  });
});

describe('zipkin when the collector misbehaves', () => {
  it('a stopped receiver (refused port): export reports FAILED promptly, nothing thrown', async () => {
    const dead = await startZipkinReceiver();
    await dead.stop();
    const setup = createProvider(
      resolveConfig({ provider: 'zipkin', providers: { zipkin: { server_url: dead.url } } }),
    );
    const { result, ms } = await exportOnce(setup.exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(ms < 1000, `took ${Math.round(ms)} ms`);
    await setup.exporter.shutdown();
  });

  it('a 503 receiver: export reports FAILED at once (the Zipkin exporter does not retry)', async () => {
    receiver.mode = 'unavailable';
    const setup = zipkinSetup();
    const { result, ms } = await exportOnce(setup.exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /503/);
    assert.ok(ms < 1000, `took ${Math.round(ms)} ms`);
    assert.equal(receiver.requests.length, 1);
    assert.equal(receiver.spanCount, 0);
    await setup.exporter.shutdown();
  });

  it('a receiver that never answers: the Zipkin exporter has no timeout of its own', async () => {
    const hanging = await startZipkinReceiver({ mode: 'hang' });
    const setup = createProvider(
      resolveConfig({ provider: 'zipkin', providers: { zipkin: { server_url: hanging.url } } }),
    );
    const pending = exportOnce(setup.exporter, sampleSpans());
    const outcome = await Promise.race([pending.then(() => 'answered'), delay(500).then(() => 'still waiting')]);
    assert.equal(outcome, 'still waiting');
    // Only the connection closing ends it (here: the receiver stopping), as FAILED.
    await hanging.stop();
    const { result } = await pending;
    assert.equal(result.code, ExportResultCode.FAILED);
    await setup.exporter.shutdown();
  });

  it('a receiver that never answers: a batch processor export timeout still frees the pipeline', async (t) => {
    const hanging = await startZipkinReceiver({ mode: 'hang' });
    t.after(() => hanging.stop());
    const setup = createProvider(
      resolveConfig({ provider: 'zipkin', providers: { zipkin: { server_url: hanging.url } } }),
    );
    // As @tracepack/node wires it (there with exportTimeoutMillis 10000).
    const provider = new TracerProvider({
      spanProcessors: [
        new BatchSpanProcessor({ exporter: setup.exporter, exportTimeoutMillis: 300, scheduledDelayMillis: 10 }),
      ],
    });
    assert.doesNotThrow(() => recordSampleTrace(provider));
    const started = performance.now();
    await assert.rejects(provider.forceFlush(), /Timeout/);
    assert.ok(performance.now() - started < 1300);
    assert.equal(hanging.requests.length, 1);
  });
});
