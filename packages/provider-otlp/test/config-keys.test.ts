import { ExportResultCode } from '@opentelemetry/core';
import { startOtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProvider } from '../src/index';
import { exportOnce, resolveConfig, sampleSpans } from './helpers';

// The keys that carry OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _TIMEOUT and _COMPRESSION, as the
// exporter uses them (@tracepack/config maps the variables onto them).

type Protocol = 'http/protobuf' | 'http/json' | 'grpc';

describe('otlp traces_endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as Protocol[]) {
    it(`${protocol}: used as it is, instead of server_url with /v1/traces`, async (t) => {
      const receiver = await startOtlpReceiver();
      t.after(() => receiver.stop());
      const config = resolveConfig({
        provider: 'otlp',
        providers: {
          otlp: { protocol, server_url: 'http://127.0.0.1:9', traces_endpoint: `${receiver.url}/tenant-a/traces` },
        },
      });
      const { exporter } = createProvider(config);
      t.after(() => exporter.shutdown());
      await exportOnce(exporter, sampleSpans());
      // The receiver answers 404 off /v1/traces, after recording the request.
      assert.deepEqual(
        receiver.requests.map((r) => r.path),
        ['/tenant-a/traces'],
      );
    });
  }

  it('grpc: the target, instead of server_url', async (t) => {
    const receiver = await startOtlpReceiver({ grpc: true });
    t.after(() => receiver.stop());
    const config = resolveConfig({
      provider: 'otlp',
      providers: { otlp: { protocol: 'grpc', server_url: 'http://127.0.0.1:9', traces_endpoint: receiver.grpcUrl! } },
    });
    const { exporter } = createProvider(config);
    t.after(() => exporter.shutdown());
    const { result } = await exportOnce(exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(receiver.spanCount, 2);
  });
});

describe('otlp timeout_ms (OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT)', () => {
  async function hangFor(otlp: Record<string, unknown>, flushTimeoutMs: number): Promise<number> {
    const receiver = await startOtlpReceiver({ mode: 'hang' });
    try {
      const { exporter } = createProvider(
        resolveConfig({
          provider: 'otlp',
          flush_timeout_ms: flushTimeoutMs,
          providers: { otlp: { server_url: receiver.url, ...otlp } },
        }),
      );
      const { result, ms } = await exportOnce(exporter, sampleSpans());
      assert.equal(result.code, ExportResultCode.FAILED);
      await exporter.shutdown();
      return ms;
    } finally {
      await receiver.stop();
    }
  }

  it('bounds an export that gets no answer', async () => {
    const ms = await hangFor({ timeout_ms: 1200 }, 5000);
    assert.ok(ms >= 1100 && ms < 2500, `took ${Math.round(ms)} ms`);
  });

  it('is capped by flush_timeout_ms (at least 1000), so an export never outlives the shutdown budget', async () => {
    const ms = await hangFor({ timeout_ms: 30000 }, 1000);
    assert.ok(ms >= 900 && ms < 2500, `took ${Math.round(ms)} ms`);
  });
});

describe('otlp compression (OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION)', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as Protocol[]) {
    it(`${protocol}: gzip compresses each request; none (the default) does not`, async (t) => {
      const receiver = await startOtlpReceiver();
      t.after(() => receiver.stop());
      for (const compression of ['gzip', 'none'] as const) {
        receiver.reset();
        const { exporter } = createProvider(
          resolveConfig({ provider: 'otlp', providers: { otlp: { protocol, server_url: receiver.url, compression } } }),
        );
        const { result } = await exportOnce(exporter, sampleSpans());
        await exporter.shutdown();
        assert.equal(result.code, ExportResultCode.SUCCESS);
        assert.equal(receiver.spanCount, 2, 'the receiver decoded what it got');
        assert.equal(receiver.requests[0]!.headers['content-encoding'], compression === 'gzip' ? 'gzip' : undefined);
      }
    });
  }

  it('grpc: gzip exports too', async (t) => {
    const receiver = await startOtlpReceiver({ grpc: true });
    t.after(() => receiver.stop());
    const { exporter } = createProvider(
      resolveConfig({
        provider: 'otlp',
        providers: { otlp: { protocol: 'grpc', server_url: receiver.grpcUrl!, compression: 'gzip' } },
      }),
    );
    t.after(() => exporter.shutdown());
    const { result } = await exportOnce(exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(receiver.spanCount, 2);
  });
});
