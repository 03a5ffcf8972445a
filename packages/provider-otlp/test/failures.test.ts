import { ExportResultCode } from '@opentelemetry/core';
import { startOtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOtlpExporter, createProvider } from '../src/index';
import { exportOnce, recordSampleTrace, resolveConfig, sampleSpans, tracerProviderFor } from './helpers';

type Protocol = 'http/protobuf' | 'http/json' | 'grpc';
const PROTOCOLS: Protocol[] = ['http/protobuf', 'http/json', 'grpc'];
/** A short export budget, given to createOtlpExporter directly (createProvider never goes below 1000 ms). */
const TIMEOUT_MS = 400;

function otlpConfig(protocol: Protocol, serverUrl: string) {
  return resolveConfig({ provider: 'otlp', providers: { otlp: { protocol, server_url: serverUrl, insecure: true } } })
    .providers.otlp;
}

for (const protocol of PROTOCOLS) {
  describe(`otlp ${protocol} when the collector misbehaves`, () => {
    it('a stopped receiver (refused port): export reports FAILED promptly, nothing thrown', async (t) => {
      const receiver = await startOtlpReceiver({ grpc: protocol === 'grpc' });
      const url = protocol === 'grpc' ? receiver.grpcUrl! : receiver.url;
      await receiver.stop();
      const exporter = createOtlpExporter(otlpConfig(protocol, url), { timeoutMillis: TIMEOUT_MS });
      t.after(() => exporter.shutdown());
      const { result, ms } = await exportOnce(exporter, sampleSpans());
      assert.equal(result.code, ExportResultCode.FAILED);
      assert.ok(ms < TIMEOUT_MS + 1000, `took ${Math.round(ms)} ms`);
    });

    it('a 503 / UNAVAILABLE receiver: export reports FAILED within its timeout', async (t) => {
      const receiver = await startOtlpReceiver({ grpc: protocol === 'grpc', mode: 'unavailable' });
      t.after(() => receiver.stop());
      const exporter = createOtlpExporter(
        otlpConfig(protocol, protocol === 'grpc' ? receiver.grpcUrl! : receiver.url),
        { timeoutMillis: TIMEOUT_MS },
      );
      t.after(() => exporter.shutdown());
      const { result, ms } = await exportOnce(exporter, sampleSpans());
      assert.equal(result.code, ExportResultCode.FAILED);
      assert.ok(ms < TIMEOUT_MS + 1000, `took ${Math.round(ms)} ms`);
      assert.ok(receiver.requests.length >= 1, 'the receiver was asked');
      assert.equal(receiver.spanCount, 0);
    });

    it('a receiver that never answers: export reports FAILED once its timeout is spent', async (t) => {
      const receiver = await startOtlpReceiver({ grpc: protocol === 'grpc', mode: 'hang' });
      t.after(() => receiver.stop());
      const exporter = createOtlpExporter(
        otlpConfig(protocol, protocol === 'grpc' ? receiver.grpcUrl! : receiver.url),
        { timeoutMillis: TIMEOUT_MS },
      );
      t.after(() => exporter.shutdown());
      const { result, ms } = await exportOnce(exporter, sampleSpans());
      assert.equal(result.code, ExportResultCode.FAILED);
      assert.ok(ms >= TIMEOUT_MS - 50 && ms < TIMEOUT_MS + 1000, `took ${Math.round(ms)} ms`);
      assert.equal(receiver.requests.length, 1);
    });

    it('a slow receiver within the timeout: the export succeeds', async (t) => {
      const receiver = await startOtlpReceiver({ grpc: protocol === 'grpc', mode: 'slow', delayMs: 100 });
      t.after(() => receiver.stop());
      const exporter = createOtlpExporter(
        otlpConfig(protocol, protocol === 'grpc' ? receiver.grpcUrl! : receiver.url),
        { timeoutMillis: 2000 },
      );
      t.after(() => exporter.shutdown());
      const { result, ms } = await exportOnce(exporter, sampleSpans());
      assert.equal(result.code, ExportResultCode.SUCCESS);
      assert.ok(ms >= 90);
      assert.equal(receiver.spanCount, 2);
    });
  });
}

describe('otlp: a dead collector never reaches the application', () => {
  it('ending spans does not throw; the failure reaches the processor as a result, within the budget', async (t) => {
    const receiver = await startOtlpReceiver();
    await receiver.stop();
    const config = resolveConfig({ provider: 'otlp', providers: { otlp: { server_url: receiver.url } } });
    const setup = createProvider(config);
    t.after(() => setup.exporter.shutdown());
    // The provider's sampler, with an exporter on a short budget so the test is quick.
    const provider = tracerProviderFor(setup, createOtlpExporter(config.providers.otlp, { timeoutMillis: TIMEOUT_MS }));
    assert.doesNotThrow(() => recordSampleTrace(provider));
    const started = performance.now();
    // A bare BatchSpanProcessor rejects forceFlush with the export error; @tracepack/node's
    // reporting exporter turns it into a count. Either way it settles, within the budget.
    const [flushed] = await Promise.allSettled([provider.forceFlush()]);
    assert.equal(flushed.status, 'rejected');
    assert.ok(performance.now() - started < TIMEOUT_MS + 1000);
    await Promise.allSettled([provider.shutdown()]);
  });
});
