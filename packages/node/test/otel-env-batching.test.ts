import { trace } from '@opentelemetry/api';
import { startOtlpReceiver, type OtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTracing, type TracingHandle } from '../src';

// The OTEL_BSP_* variables reach the batch span processor: checked on a real start (in this
// process, with the `env` option) exporting to the loopback OTLP receiver.

let receiver: OtlpReceiver;
let handle: TracingHandle | undefined;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver.stop());
beforeEach(() => {
  receiver.reset();
  receiver.mode = 'ok';
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

function start(env: Record<string, string>): TracingHandle {
  handle = startTracing({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'batching', ...env },
    handleSignals: false,
    logLevel: 'none',
  });
  assert.equal(handle.enabled, true);
  return handle;
}

function endSpans(count: number): void {
  const tracer = trace.getTracer('otel-env-batching');
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
}

describe('OTEL_BSP_* variables', () => {
  it('OTEL_BSP_SCHEDULE_DELAY: a span waits that long before it is exported (the default: 200 ms)', async () => {
    const h = start({ OTEL_BSP_SCHEDULE_DELAY: '60000' });
    endSpans(1);
    await sleep(800);
    assert.equal(receiver.spanCount, 0, 'exported before the schedule delay');
    await h.forceFlush();
    assert.equal(receiver.spanCount, 1);
    await h.shutdown();
    receiver.reset();
    start({});
    endSpans(1);
    await receiver.waitForSpans(1, 2000);
  });

  it('OTEL_BSP_MAX_EXPORT_BATCH_SIZE: no export carries more spans', async () => {
    const h = start({ OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' });
    endSpans(5);
    await h.forceFlush();
    // The receiver runs in this traced process: its own SERVER spans join the later batches.
    const ours = receiver.spans.filter((s) => s.name.startsWith('span '));
    assert.equal(ours.length, 5);
    assert.ok(receiver.requests.length >= 3, JSON.stringify(receiver.requests.map((r) => r.spanCount)));
    assert.ok(
      receiver.requests.every((r) => r.spanCount <= 2),
      JSON.stringify(receiver.requests.map((r) => r.spanCount)),
    );
  });

  it('OTEL_BSP_MAX_QUEUE_SIZE: beyond it spans are dropped, and counted', async () => {
    receiver.mode = 'hang';
    // Ended in one synchronous burst (exports start on the next turn of the event loop, never
    // inside a span's end()): 3 wait in the queue, the other 7 are dropped.
    const h = start({
      OTEL_BSP_MAX_QUEUE_SIZE: '3',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      TRACING_FLUSH_TIMEOUT_MS: '300',
    });
    endSpans(10);
    assert.equal(h.stats().dropped, 7);
    assert.equal(h.stats().queued, 3);
  });

  it('OTEL_BSP_EXPORT_TIMEOUT: an export that does not answer is given up after it', async () => {
    receiver.mode = 'hang';
    const h = start({ OTEL_BSP_EXPORT_TIMEOUT: '300', TRACING_FLUSH_TIMEOUT_MS: '3000' });
    endSpans(1);
    const started = performance.now();
    await Promise.allSettled([h.forceFlush()]);
    const took = performance.now() - started;
    // Without it the flush would wait for the flush budget (3 s), which also bounds the exporter.
    assert.ok(took < 1500, `forceFlush took ${Math.round(took)} ms`);
  });
});
