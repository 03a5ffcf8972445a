// The route of every request, sampled or not, on the `tracepack:http.server.route` channel:
// fastify (onRequest hook), hapi (onPreAuth) and koa with @koa/router (when the response
// finishes), here with a tracer provider that samples nothing (ratio 0).
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { SimpleSpanProcessor, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { createSpanCapture } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import { after, beforeEach, describe, it } from 'node:test';
import { compositePropagator, requireFrom, send } from './helpers';
import { createHttpInstrumentations, HTTP_SERVER_ROUTE_CHANNEL, type HttpServerRouteMessage } from '../src/index';

const capture = createSpanCapture({ propagator: compositePropagator() });
const provider = new TracerProvider({
  sampler: new TraceIdRatioBasedSampler(0),
  spanProcessors: [new SimpleSpanProcessor({ exporter: capture.exporter })],
});
const unregister = registerInstrumentations({
  instrumentations: createHttpInstrumentations({ outgoing: false }),
  tracerProvider: provider,
});
after(() => unregister());

const root = requireFrom('root');
const seen: { route: string; url: string | undefined; method: string | undefined }[] = [];
const onRoute = (message: unknown): void => {
  const { request, route } = message as HttpServerRouteMessage;
  seen.push({ route, url: request.url, method: request.method });
};
subscribe(HTTP_SERVER_ROUTE_CHANNEL, onRoute);
after(() => unsubscribe(HTTP_SERVER_ROUTE_CHANNEL, onRoute));
beforeEach(() => {
  seen.length = 0;
  capture.reset();
});

interface Server {
  port: number;
  close(): Promise<void>;
}

describe('route channel (tracing samples nothing)', () => {
  it('fastify: every request with its template; none for a 404', async () => {
    const fastify = root('fastify') as (o?: object) => {
      get(p: string, h: () => unknown): void;
      listen(o: object): Promise<string>;
      close(): Promise<void>;
      server: import('node:net').Server;
    };
    const app = fastify();
    app.get('/users/:id', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const s: Server = { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
    try {
      for (const path of ['/users/1', '/users/2', '/nowhere']) await send(s.port, { path });
      assert.deepEqual(seen, [
        { route: '/users/:id', url: '/users/1', method: 'GET' },
        { route: '/users/:id', url: '/users/2', method: 'GET' },
      ]);
      assert.equal(capture.spans().length, 0, 'nothing sampled');
    } finally {
      await s.close();
    }
  });

  it("hapi: the template in hapi's form", async () => {
    const Hapi = root('@hapi/hapi') as {
      server(o: object): {
        route(r: object): void;
        start(): Promise<void>;
        stop(): Promise<void>;
        info: { port: number };
      };
    };
    const server = Hapi.server({ port: 0, host: '127.0.0.1' });
    server.route({ method: 'GET', path: '/users/{id}', handler: () => 'ok' });
    await server.start();
    try {
      await send(server.info.port, { path: '/users/7' });
      assert.deepEqual(seen, [{ route: '/users/{id}', url: '/users/7', method: 'GET' }]);
    } finally {
      await server.stop();
    }
  });

  it('koa with @koa/router: published when the response finishes', async () => {
    const Koa = root('koa') as new () => {
      use(m: unknown): void;
      listen(port: number, host: string, cb: () => void): import('node:http').Server;
    };
    type RouterClass = new () => { get(p: string, h: (ctx: { body: unknown }) => void): void; routes(): unknown };
    const routerModule = root('@koa/router') as RouterClass & { default?: RouterClass };
    const Router = routerModule.default ?? routerModule;
    const app = new Koa();
    const router = new Router();
    router.get('/users/:id', (ctx) => {
      ctx.body = 'ok';
    });
    app.use(router.routes());
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    try {
      await send((server.address() as AddressInfo).port, { path: '/users/9' });
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(seen, [{ route: '/users/:id', url: '/users/9', method: 'GET' }]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
