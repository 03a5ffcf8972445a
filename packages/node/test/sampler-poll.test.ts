import { trace } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { freePort } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTracing } from '../src';

// The tracer's own requests are never spans of the service: Jaeger remote sampling polls its
// server from a timer, and that timer runs in the context the sampler was built in, where
// start-up suppresses tracing. (Before, every poll left a `GET` CLIENT span in the backend.)

it('Jaeger remote sampling polls its server without making a span of each poll', async (t) => {
  let polls = 0;
  const server = createServer((req, res) => {
    polls++;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 1 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const ended: ReadableSpan[] = [];
  const capture: SpanProcessor = {
    onStart() {},
    onEnd: (s) => void ended.push(s),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const handle = startTracing({
    config: {
      provider: 'jaeger',
      service_name: 'sampler-poll',
      providers: {
        jaeger: {
          local_agent_address: `127.0.0.1:${await freePort()}`,
          sampling: {
            server_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sampling`,
            refresh_interval_ms: 100,
          },
        },
      },
    },
    env: {},
    argv: [],
    handleSignals: false,
    logLevel: 'none',
    spanProcessors: [capture],
  });
  t.after(() => handle.shutdown());
  await sleep(700);
  // A span of the service's own still is one.
  trace.getTracer('sampler-poll').startSpan('work').end();
  assert.ok(polls >= 3, `${polls} polls`);
  const clients = ended.filter((s) => s.kind === SpanKind.CLIENT);
  assert.deepEqual(
    clients.map((s) => `${s.name} ${String(s.attributes['url.full'])}`),
    [],
  );
  assert.ok(ended.some((s) => s.name === 'work'));
});
