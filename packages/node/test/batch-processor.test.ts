import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { loadTracingConfig, type ResolvedTracingConfig } from '@tracepack/config';
import { startOtlpReceiver, startZipkinReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoundedBatchSpanProcessor, EXPORT_ANSWER_MARGIN_MS } from '../src/batch-processor';
import { resolveProvider } from '../src/providers';
import { SettlingResource } from '../src/settling-resource';
import type { BoundedBatchSpanProcessorOptions, SpanProcessorStats } from '../src/types';

// BoundedBatchSpanProcessor against real exporters (OTLP, Zipkin) and the loopback receivers of
// @tracepack/testing: the queue's bound, one export at a time, the give-up of an export that
// never answers, the resource's async attributes, the counters' invariant and the reports.

function resolved(tracing: Record<string, unknown>): ResolvedTracingConfig {
  return loadTracingConfig({ config: { service_name: 'batch-processor-test', ...tracing }, env: {}, argv: [] }).config;
}

function otlpExporter(url: string, timeoutMs = 10_000): SpanExporter {
  return resolveProvider(
    resolved({
      provider: 'otlp',
      flush_timeout_ms: timeoutMs,
      providers: { otlp: { server_url: url, protocol: 'http/protobuf', timeout_ms: timeoutMs } },
    }),
  ).exporter;
}

function zipkinExporter(url: string): SpanExporter {
  return resolveProvider(resolved({ provider: 'zipkin', providers: { zipkin: { server_url: url } } })).exporter;
}

function setUp(
  options: BoundedBatchSpanProcessorOptions,
  resource = resourceFromAttributes({ 'service.name': 'batch-processor-test' }),
) {
  const processor = new BoundedBatchSpanProcessor({ target: 'the test receiver', ...options });
  const provider = new TracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('batch-processor-test');
  const end = (count: number, prefix = 'span'): void => {
    for (let i = 0; i < count; i++) tracer.startSpan(`${prefix} ${i}`).end();
  };
  return { processor, provider, end };
}

/** Every counter, the ones a test does not name at 0. */
function counters(partial: Partial<SpanProcessorStats>): SpanProcessorStats {
  return { ended: 0, exported: 0, failed: 0, dropped: 0, droppedAtShutdown: 0, queued: 0, exporting: 0, ...partial };
}

function assertInvariant(s: SpanProcessorStats): void {
  assert.equal(
    s.ended,
    s.exported + s.failed + s.dropped + s.droppedAtShutdown + s.queued + s.exporting,
    JSON.stringify(s),
  );
}

async function waitUntil(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(10);
}

/** Collects what reaches diag at warn level and above. */
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  const push = (m: string): void => void logged.push(m);
  diag.setLogger(
    { error: push, warn: push, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
});
afterEach(() => diag.disable());

describe('BoundedBatchSpanProcessor', () => {
  it('onEnd creates no timer per span: one timer for a partial batch, one immediate for a full one', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const { processor, provider, end } = setUp({
      exporter: otlpExporter(receiver.url),
      maxQueueSize: 20_000,
      maxExportBatchSize: 10_000,
      scheduledDelayMillis: 60_000,
    });
    t.after(() => provider.shutdown());
    const created = { Timeout: 0, Immediate: 0 };
    const hook = createHook({
      init(_id, type) {
        if (type === 'Timeout' || type === 'Immediate') created[type]++;
      },
    }).enable();
    end(5_000);
    hook.disable();
    assert.deepEqual(created, { Timeout: 1, Immediate: 0 }, '5000 spans, less than a batch: the schedule timer, once');
    assert.deepEqual(processor.stats(), counters({ ended: 5_000, queued: 5_000 }));

    hook.enable();
    end(5_000, 'more');
    hook.disable();
    assert.deepEqual(
      created,
      { Timeout: 1, Immediate: 1 },
      'the batch filled: one immediate starts its export, after the spans ended',
    );
    assert.deepEqual(
      processor.stats(),
      counters({ ended: 10_000, queued: 10_000 }),
      'nothing is exported inside a span end()',
    );
    await receiver.waitForSpans(10_000);
    assert.equal(receiver.requests.length, 1);
  });

  it('exports one batch at a time, at most maxExportBatchSize spans each, and forceFlush waits for all of them', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'slow', delayMs: 60 });
    t.after(() => receiver.stop());
    const otlp = otlpExporter(receiver.url);
    let inFlight = 0;
    let most = 0;
    // Counts exports under way around the real exporter.
    const exporter: SpanExporter = {
      export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
        most = Math.max(most, ++inFlight);
        otlp.export(spans, (r) => {
          inFlight--;
          done(r);
        });
      },
      shutdown: () => otlp.shutdown(),
    };
    const { processor, provider, end } = setUp({ exporter, maxExportBatchSize: 100, scheduledDelayMillis: 60_000 });
    t.after(() => provider.shutdown());
    end(450);
    const started = performance.now();
    await processor.forceFlush();
    const took = performance.now() - started;
    assert.equal(receiver.spanCount, 450);
    assert.deepEqual(
      receiver.requests.map((r) => r.spanCount),
      [100, 100, 100, 100, 50],
    );
    assert.equal(most, 1, 'never two exports at once');
    assert.ok(took >= 5 * 60, `five sequential exports of 60 ms each took ${took.toFixed(0)} ms`);
    assert.deepEqual(processor.stats(), counters({ ended: 450, exported: 450 }));
  });

  it("waits for the resource's asynchronously detected attributes before the first export", async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    let settle!: (v: string) => void;
    const hostId = new Promise<string>((resolve) => (settle = resolve));
    const resource = new SettlingResource({ 'service.name': 'settling' }, [['host.id', hostId]]);
    const { processor, provider, end } = setUp(
      { exporter: otlpExporter(receiver.url), scheduledDelayMillis: 10, resource },
      resource,
    );
    t.after(() => provider.shutdown());
    end(3);
    await sleep(300);
    assert.equal(receiver.requests.length, 0, 'exported before the resource settled');
    assert.deepEqual(processor.stats(), counters({ ended: 3, exporting: 3 }));
    settle('f1e2d3c4');
    await receiver.waitForSpans(3);
    assert.ok(
      receiver.spans.every((s) => s.resource['host.id'] === 'f1e2d3c4'),
      JSON.stringify(receiver.spans[0]!.resource),
    );
  });

  it('an export that never answers is given up after export_timeout_ms (+ the margin); a late answer is not counted twice', async (t) => {
    // Zipkin's exporter has no timeout of its own: only the processor can give up on it.
    const receiver = await startZipkinReceiver({ mode: 'slow', delayMs: 1_200 });
    t.after(() => receiver.stop());
    const exportTimeoutMillis = 300;
    const { processor, provider, end } = setUp({
      exporter: zipkinExporter(receiver.url),
      exportTimeoutMillis,
      scheduledDelayMillis: 10,
    });
    t.after(() => provider.shutdown());
    end(4);
    const started = performance.now();
    await waitUntil(() => processor.stats().failed > 0);
    const gaveUp = performance.now() - started;
    assert.ok(
      gaveUp >= exportTimeoutMillis + EXPORT_ANSWER_MARGIN_MS - 20 && gaveUp < 1_100,
      `given up after ${gaveUp.toFixed(0)} ms`,
    );
    assert.deepEqual(processor.stats(), counters({ ended: 4, failed: 4 }));
    assert.deepEqual(
      logged.filter((l) => l.includes('cannot export')),
      [
        `@tracepack/node: cannot export spans to the test receiver (no answer within 300 ms (export_timeout_ms)); dropping them until it is back. Reported once; the count follows when it recovers and at shutdown.`,
      ],
    );
    // The next batch is not held up by the unanswered one.
    end(2, 'next');
    // The receiver takes the first batch after 1.2 s after all: the 4 spans move to exported.
    await receiver.waitForSpans(6, 5_000);
    await waitUntil(() => processor.stats().exported === 6);
    assert.deepEqual(processor.stats(), counters({ ended: 6, exported: 6 }));
    assert.equal(receiver.spanCount, processor.stats().exported);
  });

  it('a full queue drops and counts, reported once when it starts and once when the queue has caught up', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'slow', delayMs: 150 });
    t.after(() => receiver.stop());
    const { processor, provider, end } = setUp({
      exporter: otlpExporter(receiver.url),
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduledDelayMillis: 10,
    });
    t.after(() => provider.shutdown());
    end(30);
    await sleep(20);
    end(30, 'again'); // still full: the same streak
    assertInvariant(processor.stats());
    await waitUntil(() => processor.stats().queued === 0 && processor.stats().exporting === 0);
    const s = processor.stats();
    assert.equal(s.ended, 60);
    assert.equal(s.exported + s.dropped, 60, JSON.stringify(s));
    assert.equal(receiver.spanCount, s.exported);
    assert.deepEqual(
      logged.filter((l) => l.includes('queue')),
      [
        '@tracepack/node: the span export queue is full (max_queue_size 10): new spans are dropped and counted until it has caught up. Reported once; the count follows.',
        `@tracepack/node: the span export queue has caught up; ${s.dropped} spans were dropped while it was full.`,
      ],
    );
  });

  it('shutdown within its bound: what waits counts as dropped at shutdown, the unanswered export as failed, one exact report', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'hang' });
    t.after(() => receiver.stop());
    const { processor, provider, end } = setUp({
      exporter: otlpExporter(receiver.url),
      maxExportBatchSize: 100,
      scheduledDelayMillis: 60_000,
      flushTimeoutMillis: 400,
    });
    end(250);
    const started = performance.now();
    await provider.shutdown();
    const took = performance.now() - started;
    assert.ok(took >= 390 && took < 1_000, `shutdown took ${took.toFixed(0)} ms`);
    assert.deepEqual(processor.stats(), counters({ ended: 250, failed: 100, droppedAtShutdown: 150 }));
    end(1, 'late');
    assert.deepEqual(
      processor.stats(),
      counters({ ended: 251, failed: 100, droppedAtShutdown: 151 }),
      'a span ended after shutdown is counted too',
    );
    assert.deepEqual(
      logged.filter((l) => l.includes('not delivered')),
      [
        '@tracepack/node: 250 of 250 spans were not delivered to the test receiver: 100 in failed exports, 0 dropped with the queue full (max_queue_size 2048), ' +
          '150 still waiting when the flush bound (400 ms) ran out; 0 were delivered.',
      ],
    );
  });

  it('under a receiver that accepts, refuses and hangs, the counters add up at every step', async (t) => {
    const receiver = await startOtlpReceiver({
      script: (n) => (n % 5 === 2 ? 'unavailable' : n === 4 ? 'hang' : undefined),
    });
    t.after(() => receiver.stop());
    const { processor, provider, end } = setUp({
      exporter: otlpExporter(receiver.url, 1_000),
      maxQueueSize: 300,
      maxExportBatchSize: 50,
      scheduledDelayMillis: 5,
      exportTimeoutMillis: 1_000,
      flushTimeoutMillis: 3_000,
    });
    for (let round = 0; round < 40; round++) {
      end(40, `round ${round}`);
      assertInvariant(processor.stats());
      await sleep(15);
      assertInvariant(processor.stats());
    }
    await provider.shutdown();
    const s = processor.stats();
    assert.equal(s.ended, 1_600);
    assert.equal(s.ended, receiver.spanCount + s.failed + s.dropped + s.droppedAtShutdown, JSON.stringify(s));
    assert.equal(s.exported, receiver.spanCount);
    assert.ok(s.failed > 0 && s.dropped > 0 && s.exported > 0, JSON.stringify(s));
  });
});
