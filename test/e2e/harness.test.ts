// Smoke test of the e2e harness itself: real Jaeger and Zipkin on free ports, spans sent
// with plain HTTP (no tracepack code involved), read back through the query APIs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  e2eSkip,
  jaegerServiceOf,
  jaegerTrace,
  normalizeTraceId,
  startJaeger,
  startZipkin,
  waitForJaegerTrace,
  waitForZipkinTrace,
  type JaegerServer,
  type ZipkinServer,
} from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

/** Random hex id whose first digit is not 0 (Jaeger drops leading zeros). */
function hexId(bytes: number): string {
  const buf = randomBytes(bytes);
  buf[0] = (buf[0] ?? 0) | 0x10;
  return buf.toString('hex');
}

async function postJson(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

function otlpJsonSpan(service: string, traceId: string, spanId: string, name: string): unknown {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: service } }],
        },
        scopeSpans: [
          {
            scope: { name: 'tracepack-e2e-harness' },
            spans: [
              {
                traceId,
                spanId,
                name,
                kind: 2,
                startTimeUnixNano: String(endNs - 5_000_000n),
                endTimeUnixNano: String(endNs),
                attributes: [{ key: 'e2e.attr', value: { stringValue: 'otlp' } }],
              },
            ],
          },
        ],
      },
    ],
  };
}

function zipkinJsonSpan(service: string, traceId: string, spanId: string, name: string): unknown[] {
  return [
    {
      traceId,
      id: spanId,
      name,
      kind: 'SERVER',
      timestamp: Date.now() * 1000 - 5000,
      duration: 5000,
      localEndpoint: { serviceName: service },
      tags: { 'e2e.attr': 'zipkin' },
    },
  ];
}

function tagValue(tags: Array<{ key: string; value: unknown }>, key: string): unknown {
  return tags.find((t) => t.key === key)?.value;
}

describe('e2e harness', { skip }, () => {
  describe('real Jaeger and Zipkin', () => {
    let jaeger: JaegerServer | undefined;
    let zipkin: ZipkinServer | undefined;

    before(async () => {
      // Zipkin (a JVM) is the slow one: start both at once.
      const t0 = Date.now();
      const zipkinStarted = startZipkin().then((z) => {
        console.log(`# zipkin ready in ${((Date.now() - t0) / 1000).toFixed(2)} s at ${z.queryUrl}`);
        return z;
      });
      const jaegerStarted = startJaeger().then((j) => {
        console.log(`# jaeger ready in ${((Date.now() - t0) / 1000).toFixed(2)} s at ${j.queryUrl}`);
        return j;
      });
      const [z, j] = await Promise.allSettled([zipkinStarted, jaegerStarted]);
      if (z.status === 'fulfilled') zipkin = z.value;
      if (j.status === 'fulfilled') jaeger = j.value;
      if (z.status === 'rejected') throw z.reason;
      if (j.status === 'rejected') throw j.reason;
    });

    after(async () => {
      await Promise.all([jaeger?.stop(), zipkin?.stop()]);
    });

    test('Jaeger listens on distinct free loopback ports', () => {
      assert.ok(jaeger);
      assert.equal(jaeger.ports.metrics, 0, 'no metrics port unless asked for');
      assert.equal(jaeger.metricsUrl, undefined);
      const ports = Object.values(jaeger.ports).filter((p) => p !== 0);
      assert.equal(ports.length, 10);
      const tcp = ports.filter((p) => p !== jaeger?.agentCompactPort && p !== jaeger?.agentBinaryPort);
      assert.equal(new Set(tcp).size, tcp.length);
      assert.notEqual(jaeger.agentCompactPort, jaeger.agentBinaryPort);
      assert.match(jaeger.queryUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    });

    test('Jaeger serves the default sampling strategy (probabilistic 1.0)', async () => {
      assert.ok(jaeger);
      const res = await fetch(`${jaeger.samplingUrl}/sampling?service=anything`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        strategyType?: unknown;
        probabilisticSampling?: { samplingRate?: number };
      };
      assert.equal(body.probabilisticSampling?.samplingRate, 1);
    });

    test('an OTLP/HTTP JSON span reaches Jaeger and reads back', async () => {
      assert.ok(jaeger);
      const traceId = hexId(16);
      const spanId = hexId(8);
      const status = await postJson(jaeger.otlpHttpUrl, otlpJsonSpan('e2e-otlp', traceId, spanId, 'otlp-span'));
      assert.equal(status, 200);
      const trace = await waitForJaegerTrace(
        jaeger.queryUrl,
        'e2e-otlp',
        (t) => normalizeTraceId(t.traceID) === normalizeTraceId(traceId),
      );
      const span = trace.spans.find((s) => s.spanID === spanId);
      assert.ok(span, 'span by id');
      assert.equal(span.operationName, 'otlp-span');
      assert.equal(jaegerServiceOf(trace, span), 'e2e-otlp');
      assert.equal(tagValue(span.tags, 'e2e.attr'), 'otlp');
      const byId = await jaegerTrace(jaeger.queryUrl, traceId);
      assert.equal(byId?.spans.length, 1);
    });

    test('a Zipkin v2 JSON span reaches Jaeger through its zipkin receiver', async () => {
      assert.ok(jaeger);
      const traceId = hexId(16);
      const spanId = hexId(8);
      const status = await postJson(
        jaeger.zipkinSpansUrl,
        zipkinJsonSpan('e2e-zipkin-in-jaeger', traceId, spanId, 'zipkin-span'),
      );
      assert.ok(status >= 200 && status < 300, `status ${status}`);
      const trace = await waitForJaegerTrace(jaeger.queryUrl, 'e2e-zipkin-in-jaeger', (t) =>
        t.spans.some((s) => s.spanID === spanId),
      );
      assert.equal(normalizeTraceId(trace.traceID), normalizeTraceId(traceId));
      assert.equal(tagValue(trace.spans[0]?.tags ?? [], 'e2e.attr'), 'zipkin');
    });

    test('a Zipkin v2 JSON span reaches Zipkin and reads back', async () => {
      assert.ok(zipkin);
      const traceId = hexId(16);
      const spanId = hexId(8);
      const status = await postJson(zipkin.spansUrl, zipkinJsonSpan('e2e-zipkin', traceId, spanId, 'zipkin-span'));
      assert.equal(status, 202);
      const trace = await waitForZipkinTrace(zipkin.queryUrl, 'e2e-zipkin', (t) => t.some((s) => s.id === spanId));
      const span = trace.find((s) => s.id === spanId);
      assert.equal(span?.traceId, traceId);
      assert.equal(span?.name, 'zipkin-span');
      assert.equal(span?.tags?.['e2e.attr'], 'zipkin');
    });

    test('Jaeger survives kill() and restart() on the same ports', async () => {
      assert.ok(jaeger);
      const before = { ...jaeger.ports };
      await jaeger.kill();
      await assert.rejects(fetch(`${jaeger.queryUrl}/api/services`), 'query port closed after kill()');
      const t0 = Date.now();
      await jaeger.restart();
      console.log(`# jaeger restarted in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      assert.deepEqual(jaeger.ports, before);
      const traceId = hexId(16);
      const spanId = hexId(8);
      assert.equal(
        await postJson(jaeger.otlpHttpUrl, otlpJsonSpan('e2e-restart', traceId, spanId, 'after-restart')),
        200,
      );
      const trace = await waitForJaegerTrace(jaeger.queryUrl, 'e2e-restart', (t) =>
        t.spans.some((s) => s.spanID === spanId),
      );
      assert.equal(trace.spans[0]?.operationName, 'after-restart');
    });
  });

  describe('Jaeger options and failures', () => {
    test('samplingStrategiesFile is served by remote sampling', async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'tracepack-e2e-strategies-'));
      t.after(() => rm(dir, { recursive: true, force: true }));
      const file = join(dir, 'strategies.json');
      await writeFile(
        file,
        JSON.stringify({
          default_strategy: { type: 'probabilistic', param: 0.5 },
          service_strategies: [{ service: 'limited', type: 'ratelimiting', param: 3 }],
        }),
      );
      const jaeger = await startJaeger({ samplingStrategiesFile: file });
      t.after(() => jaeger.stop());
      const other = (await (await fetch(`${jaeger.samplingUrl}/sampling?service=other`)).json()) as {
        probabilisticSampling?: { samplingRate?: number };
      };
      assert.equal(other.probabilisticSampling?.samplingRate, 0.5);
      const limited = (await (await fetch(`${jaeger.samplingUrl}/sampling?service=limited`)).json()) as {
        strategyType?: unknown;
        rateLimitingSampling?: { maxTracesPerSecond?: number };
      };
      assert.equal(limited.rateLimitingSampling?.maxTracesPerSecond, 3);
    });

    test('a start-up failure reports the log tail', async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'tracepack-e2e-strategies-'));
      t.after(() => rm(dir, { recursive: true, force: true }));
      const file = join(dir, 'broken.json');
      await writeFile(file, '{not json');
      let started: JaegerServer | undefined;
      await assert.rejects(
        startJaeger({ samplingStrategiesFile: file }).then((j) => {
          started = j;
        }),
        (err: Error) => {
          assert.match(err.message, /^tracepack e2e: jaeger exited \(code 1, signal null\) before it was ready/);
          assert.match(err.message, /last lines:\n[\s\S]*failed to unmarshal strategies/);
          return true;
        },
      );
      await started?.stop();
    });

    test('stop() removes the temp dir and is idempotent', async () => {
      const jaeger = await startJaeger();
      assert.ok(existsSync(jaeger.logPath));
      await jaeger.stop();
      await jaeger.stop();
      assert.equal(existsSync(jaeger.dir), false);
      await assert.rejects(fetch(`${jaeger.queryUrl}/api/services`));
    });
  });
});
