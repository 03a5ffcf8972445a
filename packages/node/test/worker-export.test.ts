import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { loadTracingConfig, type ResolvedTracingConfig } from '@tracepack/config';
import { freePort, startOtlpReceiver, startZipkinReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { BoundedBatchSpanProcessor } from '../src/batch-processor';
import { resolveProvider } from '../src/providers';
import { buildResource } from '../src/resource';
import type { SpanProcessorStats } from '../src/types';
import { WorkerSpanProcessor, type WorkerExporter } from '../src/worker-export';
import { rebuildSpans } from '../src/worker-export/readable-span';
import { toScopeRecord, toSpanRecord, type ScopeRecord } from '../src/worker-export/span-record';
import type { WorkerSpanProcessorOptions } from '../src/worker-export';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_PARENT = '00f067aa0ba902b7';
const T0 = 1_760_000_000;

function resolved(tracing: Record<string, unknown>): ResolvedTracingConfig {
  return loadTracingConfig({
    config: { service_name: 'worker-export-test', flush_timeout_ms: 2000, ...tracing },
    env: {},
    argv: [],
  }).config;
}

function otlpConfig(url: string, extra: Record<string, unknown> = {}): ResolvedTracingConfig {
  return resolved({ provider: 'otlp', providers: { otlp: { server_url: url, protocol: 'http/protobuf' } }, ...extra });
}

/** Polls `done` every 20 ms, for at most 5 s (the caller asserts afterwards). */
async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function workerProcessor(
  config: ResolvedTracingConfig,
  options: Partial<WorkerSpanProcessorOptions> = {},
): WorkerSpanProcessor {
  return new WorkerSpanProcessor({ config, resource: buildResource(config), target: 'the test receiver', ...options });
}

/** The in-thread path start.ts takes by default (without TRACEPACK_EXPORT_THREAD=1). */
function inThreadProcessor(config: ResolvedTracingConfig): SpanProcessor {
  return new BoundedBatchSpanProcessor({
    exporter: resolveProvider(config).exporter,
    target: 'the test receiver',
    scheduledDelayMillis: 1000,
  });
}

/** Every counter, with the ones a test does not name at 0. */
function counters(partial: Partial<SpanProcessorStats>): SpanProcessorStats {
  return { ended: 0, exported: 0, failed: 0, dropped: 0, droppedAtShutdown: 0, queued: 0, exporting: 0, ...partial };
}

/** The worker thread behind a WorkerSpanProcessor (to kill it in a test). */
function threadOf(processor: WorkerSpanProcessor): Worker | undefined {
  return ((processor as unknown as { exporter: WorkerExporter }).exporter as unknown as { _worker: Worker | undefined })
    ._worker;
}

function providerWith(config: ResolvedTracingConfig, ...spanProcessors: SpanProcessor[]): TracerProvider {
  // 7 attributes fit; the request span has 8, so one is dropped and counted.
  return new TracerProvider({
    resource: buildResource(config),
    spanProcessors,
    spanLimits: { attributeCountLimit: 7 },
  });
}

/**
 * One request continuing a remote trace: a server span (all attribute types, an event, a link
 * with a trace state, one dropped attribute), a failing client child with an exception event,
 * and an internal span from another instrumentation scope (version and schema URL).
 */
function recordTrace(provider: TracerProvider): void {
  const tracer = provider.getTracer('@tracepack/instrumentation-http', '0.1.0');
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: REMOTE_PARENT,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=1'),
  });
  const root = tracer.startSpan(
    'GET /clients/:id',
    {
      kind: SpanKind.SERVER,
      startTime: [T0, 123_456_789],
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'server.port': 8080,
        ratio: 0.25,
        cached: false,
        tags: ['a', 'b'],
        codes: [1, 2, 3],
        extra: 'dropped',
      },
      links: [
        {
          context: {
            traceId: 'a'.repeat(32),
            spanId: 'b'.repeat(16),
            traceFlags: TraceFlags.SAMPLED,
            traceState: new TraceState('k=v'),
          },
          attributes: { 'link.reason': 'retry' },
        },
      ],
    },
    remote,
  );
  root.addEvent('cache.miss', { 'cache.key.length': 12 }, [T0, 200_000_000]);
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const query = tracer.startSpan(
    'SELECT clients',
    { kind: SpanKind.CLIENT, startTime: [T0, 300_000_000], attributes: { 'db.system.name': 'postgresql' } },
    parent,
  );
  query.addEvent('exception', { 'exception.type': 'DatabaseError', 'exception.message': 'unique violation' }, [
    T0,
    310_000_000,
  ]);
  query.setStatus({ code: SpanStatusCode.ERROR, message: '23505' });
  query.end([T0, 320_500_000]);
  const other = provider.getTracer('bcrypt', '6.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  other.startSpan('bcrypt.compare', { startTime: [T0, 400_000_000] }, parent).end([T0, 650_000_000]);
  root.setStatus({ code: SpanStatusCode.OK });
  root.end([T0, 923_456_789]);
}

/** Every field of a ReadableSpan, with trace states as their strings. */
function view(span: ReadableSpan): unknown {
  const ctx = (c: ReturnType<ReadableSpan['spanContext']> | undefined) =>
    c && { ...c, traceState: c.traceState?.serialize() };
  return {
    spanContext: ctx(span.spanContext()),
    parentSpanContext: ctx(span.parentSpanContext),
    name: span.name,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: span.status,
    attributes: span.attributes,
    events: span.events,
    links: span.links.map((l) => ({ ...l, context: ctx(l.context) })),
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    scope: { ...span.instrumentationScope },
    resource: { attributes: span.resource.attributes, schemaUrl: span.resource.schemaUrl },
  };
}

/** Collects what reaches the main thread's diag (the worker's lines are forwarded to it). */
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  const push = (m: string) => logged.push(m);
  diag.setLogger(
    { error: push, warn: push, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
});
afterEach(() => diag.disable());

describe('WorkerSpanProcessor', () => {
  it('rebuilds, from the records that cross threads, spans equal to the originals in every field exporters read', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'records' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
      spanLimits: { attributeCountLimit: 7 },
    });
    recordTrace(provider);
    const originals = memory.getFinishedSpans();
    const scopes: ScopeRecord[] = [];
    const indexes = new Map<object, number>();
    const records = originals.map((s) =>
      toSpanRecord(s, (scope) => {
        if (!indexes.has(scope)) indexes.set(scope, scopes.push(toScopeRecord(scope)) - 1);
        return indexes.get(scope)!;
      }),
    );
    // What postMessage does to them.
    const batch = structuredClone({ scopes, spans: records });
    const rebuilt = rebuildSpans(batch, resourceFromAttributes({ ...originals[0]!.resource.attributes }));
    assert.equal(rebuilt.length, 3);
    assert.deepEqual(rebuilt.map(view), originals.map(view));
    assert.equal(originals[2]!.droppedAttributesCount, 1, 'the fixture does drop an attribute');
    assert.equal(
      new Set(rebuilt.map((s) => s.resource)).size,
      1,
      'one resource object: exporters group the batch under it',
    );
    await provider.shutdown();
  });

  it('OTLP http/protobuf through the worker: the receiver decodes exactly what the in-thread exporter sends', async (t) => {
    const viaWorker = await startOtlpReceiver();
    const inThread = await startOtlpReceiver();
    t.after(() => Promise.all([viaWorker.stop(), inThread.stop()]));
    const worker = workerProcessor(otlpConfig(viaWorker.url));
    const provider = providerWith(otlpConfig(viaWorker.url), worker, inThreadProcessor(otlpConfig(inThread.url)));
    t.after(() => provider.shutdown());

    recordTrace(provider);
    await provider.forceFlush();
    // forceFlush waited for the worker's export: the spans are there, no polling needed.
    assert.equal(viaWorker.spans.length, 3);
    const strip = (spans: typeof viaWorker.spans) =>
      spans.map(({ transport: _t, ...s }) => s).sort((a, b) => a.spanId.localeCompare(b.spanId));
    assert.deepEqual(strip(viaWorker.spans), strip(inThread.spans));

    const byName = new Map(viaWorker.spans.map((s) => [s.name, s]));
    const root = byName.get('GET /clients/:id')!;
    assert.equal(root.traceId, TRACE_ID);
    assert.equal(root.parentSpanId, REMOTE_PARENT);
    assert.equal(root.kind, 'SERVER');
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.attributeTypes['http.response.status_code'], 'int');
    assert.equal(root.status.code, SpanStatusCode.OK);
    assert.equal(root.events[0]!.name, 'cache.miss');
    assert.equal(root.startTimeUnixNano, BigInt(T0) * 1_000_000_000n + 123_456_789n);
    assert.equal(root.serviceName, 'worker-export-test');
    assert.equal(root.resource['telemetry.distro.name'], 'tracepack');
    const query = byName.get('SELECT clients')!;
    assert.equal(query.parentSpanId, root.spanId);
    assert.deepEqual(query.status, { code: SpanStatusCode.ERROR, message: '23505' });
    assert.deepEqual(byName.get('bcrypt.compare')!.scope, { name: 'bcrypt', version: '6.0.0' });
    // The worker got the resource once its asynchronously detected attributes had settled.
    assert.equal(typeof root.resource['host.id'], 'string');
    assert.deepEqual(worker.stats(), counters({ ended: 3, exported: 3 }));
    assert.deepEqual(logged, []);
  });

  it('Zipkin through the worker: the receiver gets the same JSON spans as from the in-thread exporter', async (t) => {
    const viaWorker = await startZipkinReceiver();
    const inThread = await startZipkinReceiver();
    t.after(() => Promise.all([viaWorker.stop(), inThread.stop()]));
    const config = (url: string) => resolved({ provider: 'zipkin', providers: { zipkin: { server_url: url } } });
    const worker = workerProcessor(config(viaWorker.url));
    const provider = providerWith(config(viaWorker.url), worker, inThreadProcessor(config(inThread.url)));
    t.after(() => provider.shutdown());

    recordTrace(provider);
    await provider.forceFlush();
    assert.equal(viaWorker.spans.length, 3);
    const sorted = (spans: typeof viaWorker.spans) => [...spans].sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(sorted(viaWorker.spans), sorted(inThread.spans));
    const root = viaWorker.spans.find((s) => s.name === 'GET /clients/:id')!;
    assert.equal(root.parentId, REMOTE_PARENT);
    assert.equal(root.duration, 800_000);
    assert.equal(root.tags['otel.dropped_attributes_count'], '1');
    assert.equal(root.tags['service.name'], 'worker-export-test');
    assert.deepEqual(worker.stats(), counters({ ended: 3, exported: 3 }));
  });

  it('bounds the queue like in-thread: beyond max_queue_size waiting spans, drops and counts; shutdown settles the rest', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'hang' });
    t.after(() => receiver.stop());
    const config = otlpConfig(receiver.url, { max_queue_size: 10, flush_timeout_ms: 1000 });
    const worker = workerProcessor(config, { maxExportBatchSize: 5, flushTimeoutMillis: 300 });
    const provider = providerWith(config, worker);
    const tracer = provider.getTracer('queue');
    // Ended in one synchronous burst: the export starts on the next turn of the event loop
    // (never inside a span's end()), so 10 wait and the other 20 are dropped.
    for (let i = 0; i < 30; i++) tracer.startSpan(`span ${i}`).end();
    assert.deepEqual(worker.stats(), counters({ ended: 30, dropped: 20, queued: 10 }));
    await waitUntil(() => worker.stats().exporting === 5);
    assert.deepEqual(worker.stats(), counters({ ended: 30, dropped: 20, queued: 5, exporting: 5 }));
    const started = Date.now();
    await provider.shutdown();
    assert.ok(Date.now() - started < 2000, `shutdown took ${Date.now() - started} ms`);
    // Nothing is lost silently: the hanging export counts as failed, what still waited as
    // dropped at shutdown, and one line says so with the same numbers.
    assert.deepEqual(worker.stats(), counters({ ended: 30, failed: 5, dropped: 20, droppedAtShutdown: 5 }));
    const report = logged.filter((l) => l.includes('spans were not delivered'));
    assert.deepEqual(report, [
      '@tracepack/node: 30 of 30 spans were not delivered to the test receiver: 5 in failed exports, 20 dropped with the queue full (max_queue_size 10), ' +
        '5 still waiting when the flush bound (300 ms) ran out; 0 were delivered.',
    ]);
  });

  it('a dead backend: one report line on the main thread, every span counted as failed, nothing thrown', async () => {
    const port = await freePort();
    const config = otlpConfig(`http://127.0.0.1:${port}`);
    const worker = workerProcessor(config, { target: `http://127.0.0.1:${port}` });
    const provider = providerWith(config, worker);
    const tracer = provider.getTracer('dead');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 50; i++) tracer.startSpan(`span ${round}.${i}`).end();
      await worker.forceFlush();
    }
    assert.deepEqual(worker.stats(), counters({ ended: 100, failed: 100 }));
    const reports = logged.filter((l) => l.includes('cannot export spans'));
    assert.equal(reports.length, 1, logged.join('\n'));
    assert.match(
      reports[0]!,
      new RegExp(`^@tracepack/node: cannot export spans to http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`),
    );
    await provider.shutdown();
  });

  it('forceFlush waits for the export, and gives up after flushTimeoutMillis when the backend hangs', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const config = otlpConfig(receiver.url);
    const worker = workerProcessor(config, { flushTimeoutMillis: 400 });
    const provider = providerWith(config, worker);
    t.after(() => provider.shutdown());
    const tracer = provider.getTracer('flush');
    tracer.startSpan('first').end();
    await worker.forceFlush();
    // A thread still loading the exporter on a busy machine can outlast the 400 ms: the first
    // export is waited for with a deadline; the timed flush below runs on a thread that is up.
    await receiver.waitForSpans(1, 10_000);
    assert.deepEqual(
      receiver.spans.map((s) => s.name),
      ['first'],
    );
    await waitUntil(() => worker.stats().exported === 1);
    assert.equal(worker.stats().exported, 1);

    receiver.mode = 'hang';
    tracer.startSpan('second').end();
    const started = Date.now();
    await worker.forceFlush();
    const took = Date.now() - started;
    assert.ok(took >= 350 && took < 1500, `forceFlush took ${took} ms`);
  });

  it('shutdown flushes, is idempotent and bounded, and ignores spans ended after it', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const config = otlpConfig(receiver.url);
    const worker = workerProcessor(config);
    const provider = providerWith(config, worker);
    const tracer = provider.getTracer('shutdown');
    for (let i = 0; i < 3; i++) tracer.startSpan(`span ${i}`).end();
    const first = worker.shutdown();
    assert.equal(worker.shutdown(), first);
    await first;
    assert.equal(receiver.spans.length, 3, 'the buffered spans were exported before the worker stopped');
    tracer.startSpan('too late').end();
    await worker.forceFlush();
    // A span ended after shutdown began is not exported, but it is counted.
    assert.deepEqual(worker.stats(), counters({ ended: 4, exported: 3, droppedAtShutdown: 1 }));
    assert.equal(threadOf(worker), undefined, 'the worker is gone');
  });

  it('a worker that dies: its spans count as failed, reported once, and a new worker takes over', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'hang' });
    t.after(() => receiver.stop());
    const config = otlpConfig(receiver.url);
    const worker = workerProcessor(config, { flushTimeoutMillis: 300 });
    const provider = providerWith(config, worker);
    t.after(() => provider.shutdown());
    const tracer = provider.getTracer('crash');
    for (let i = 0; i < 3; i++) tracer.startSpan(`lost ${i}`).end();
    await worker.forceFlush(); // posted; the export hangs
    await threadOf(worker)!.terminate();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(worker.stats(), counters({ ended: 3, failed: 3 }));
    const reports = logged.filter((l) => l.includes('span export thread stopped'));
    assert.equal(reports.length, 1, logged.join('\n'));
    assert.match(reports[0]!, /3 spans in it were counted as failed\. It was started again\./);

    receiver.mode = 'ok';
    tracer.startSpan('after').end();
    // The new thread loads the exporter first: on a busy machine that can outlast the 300 ms
    // flush timeout, so wait for the receiver (and the thread's answer), with a deadline.
    await worker.forceFlush();
    await receiver.waitForSpans(1, 10_000);
    assert.deepEqual(
      receiver.spans.map((s) => s.name),
      ['after'],
    );
    await waitUntil(() => worker.stats().exported === 1);
    assert.deepEqual(worker.stats(), counters({ ended: 4, exported: 1, failed: 3 }));
  });
});
