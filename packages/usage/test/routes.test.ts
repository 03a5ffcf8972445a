// Route templates reach usage on the `tracepack:http.server.route` channel of
// @tracepack/instrumentation-http, for every request, whatever tracing samples: here a fastify
// app traced at sampling ratio 0 (no span at all) still reports `GET /users/:id`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createHttpInstrumentations } from '@tracepack/instrumentation-http';
import { startOtlpMetricsReceiver, type DecodedMetricPoint, type OtlpMetricsReceiver } from '@tracepack/testing';
import { startUsage, USAGE_METRICS as M } from '../src';
import { timedEvery } from '../src/http-observer';
import { hit } from './helpers';

// Tracing first (it hooks fastify instances as they are created), fastify after.
const spans = new InMemorySpanExporter();
const provider = new TracerProvider({
  sampler: new TraceIdRatioBasedSampler(0),
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
});
const unregister = registerInstrumentations({
  instrumentations: createHttpInstrumentations({ outgoing: false }),
  tracerProvider: provider,
});

interface FastifyApp {
  get(path: string, handler: () => unknown): void;
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: Server;
}
const fastify = createRequire(__filename)('fastify') as (opts?: object) => FastifyApp;

let receiver: OtlpMetricsReceiver;
let app: FastifyApp;
let url: string;
before(async () => {
  receiver = await startOtlpMetricsReceiver();
  app = fastify();
  app.get('/users/:id', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
  await receiver.stop();
  unregister();
});

const key = (p: DecodedMetricPoint): string =>
  `${p.attributes['http.request.method']} ${p.attributes['tracepack.usage.endpoint']} ${p.attributes['http.response.status_code']}`;

describe('route templates without tracing sampling', () => {
  it('a fastify app traced at ratio 0 reports GET /users/:id, not hashed segments', async () => {
    const usage = startUsage({
      handleSignals: false,
      logger: () => undefined,
      argv: [],
      env: { SQA_ENDPOINT: receiver.url, SQA_REPORT_INTERVAL: '1h', SQA_IGNORE_PATHS: '/v1/metrics' },
    });
    try {
      await hit(url, ['/users/1', '/users/2', '/users/alice-canary']);
      await usage.flush();
      const [report] = await receiver.waitForReports(1);
      const sizes = report!.points.filter((p) => p.metric === M.responseSize);
      assert.deepEqual(Object.fromEntries(sizes.map((p) => [key(p), p.histogram!.count])), { 'GET /users/:id 200': 3 });
      const durations = report!.points.filter((p) => p.metric === M.duration);
      assert.deepEqual(
        durations.map((p) => key(p)),
        ['GET /users/:id 200'],
      );
      assert.equal(durations[0]!.histogram!.count, 3, 'a few requests a second: every one is timed');
      assert.equal(spans.getFinishedSpans().length, 0, 'tracing sampled nothing');
    } finally {
      await usage.shutdown();
    }
  });
});

describe('latency sampling', () => {
  it('times every request up to 512 a second, then one in a power of two, at most 1 in 64', () => {
    assert.deepEqual(
      [10, 511, 512, 1000, 1024, 4096, 16383, 16384, 1e6].map(timedEvery),
      [1, 1, 2, 2, 4, 16, 32, 64, 64],
    );
  });
});
