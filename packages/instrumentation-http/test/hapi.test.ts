// hapi 21 (supported: @hapi/hapi >=21 <22): the exported factory is wrapped so that each server
// gets an onPreAuth extension, which leaves request.route.path on the raw request. The template
// is kept in hapi's form (`/clients/{id}`), as OpenTelemetry's http.route asks.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { assertSpan } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defineServerSuite,
  dumpSpans,
  hapiTemplate,
  oneServerSpan,
  requireFrom,
  send,
  sendAndAbort,
  setupTracing,
  versionOf,
} from './helpers';
import type { Running } from './helpers';
import { satisfies } from './semver-lite';
import { SUPPORTED_VERSIONS } from '../src/index';

// Instrumentations first, frameworks after.
const { capture } = setupTracing();

interface Toolkit {
  response(body?: unknown): { code(n: number): unknown };
  redirect(to: string): { code(n: number): unknown };
}
interface HapiRoute {
  method: string;
  path: string;
  handler: (request: { params: Record<string, string> }, h: Toolkit) => unknown;
}
interface HapiServer {
  route(routes: HapiRoute | HapiRoute[]): void;
  register(
    plugin: { plugin: { name: string; register(server: HapiServer): void } },
    options: { routes: { prefix: string } },
  ): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  info: { port: number };
}
interface HapiModule {
  server(options: object): HapiServer;
  Server: new (options: object) => HapiServer;
}

const hapi = requireFrom('root')('@hapi/hapi') as HapiModule;
// No stack traces on stderr for the 500 case.
const SERVER_OPTIONS = { port: 0, host: '127.0.0.1', debug: false };

function startHapi(create: () => HapiServer): () => Promise<Running> {
  return async () => {
    const server = create();
    server.route([
      { method: 'POST', path: '/clients', handler: (_req, h) => h.response({ id: 1 }).code(201) },
      { method: 'GET', path: '/clients/{id}', handler: () => ({ ok: true }) },
      {
        method: 'GET',
        path: '/clients/{id}/redirect',
        handler: (req, h) => h.redirect(`/clients/${req.params['id']}`).code(302),
      },
      { method: 'GET', path: '/missing/{id}', handler: (_req, h) => h.response({ error: 'not found' }).code(404) },
      {
        method: 'GET',
        path: '/boom/{id}',
        handler: () => {
          throw new Error('handler failed');
        },
      },
      { method: 'GET', path: '/slow/{id}', handler: () => new Promise((r) => setTimeout(() => r('late'), 300)) },
      ...['/health/alive', '/health/ready', '/metrics'].map((path) => ({ method: 'GET', path, handler: () => 'ok' })),
    ]);
    // A plugin's routes get its prefix in request.route.path.
    const orders = {
      name: 'orders',
      register: (s: HapiServer) => s.route({ method: 'GET', path: '/orders/{orderId}', handler: () => ({ ok: true }) }),
    };
    await server.register({ plugin: orders }, { routes: { prefix: '/api/v1' } });
    await server.start();
    return { port: server.info.port, close: () => server.stop() };
  };
}

describe('hapi versions', () => {
  it(`hapi ${versionOf(requireFrom('root'), '@hapi/hapi')} is in the supported range ${SUPPORTED_VERSIONS.hapi}`, () => {
    const version = versionOf(requireFrom('root'), '@hapi/hapi');
    assert.match(version, /^21\./);
    assert.ok(satisfies(version, SUPPORTED_VERSIONS.hapi));
  });
});

defineServerSuite(
  'hapi 21 (Hapi.server())',
  capture,
  startHapi(() => hapi.server(SERVER_OPTIONS)),
  { template: hapiTemplate },
);
defineServerSuite(
  'hapi 21 (new Hapi.Server())',
  capture,
  startHapi(() => new hapi.Server(SERVER_OPTIONS)),
  { template: hapiTemplate },
);

describe('hapi routes', () => {
  it('the route is recorded before the handler runs: a client that goes away still leaves a route-named span', async (t) => {
    const server = await startHapi(() => hapi.server(SERVER_OPTIONS))();
    t.after(() => server.close());
    capture.reset();
    await sendAndAbort(server.port, '/slow/84573', 50);
    const span = await oneServerSpan(capture);
    assertSpan(span, {
      name: 'GET /slow/{id}',
      kind: SpanKind.SERVER,
      status: SpanStatusCode.ERROR,
      attributes: { 'http.route': '/slow/{id}', 'error.type': 'aborted' },
    });
    assert.ok(!dumpSpans([span]).includes('84573'));
  });

  it("hapi's own 404 route (`/{p*}`) is not taken for a template", async (t) => {
    const server = await startHapi(() => hapi.server(SERVER_OPTIONS))();
    t.after(() => server.close());
    capture.reset();
    const res = await send(server.port, { path: '/nothing/here' });
    assert.equal(res.status, 404);
    assertSpan(await oneServerSpan(capture), {
      name: 'GET',
      attributes: { 'http.route': undefined, 'url.path': '/nothing/here' },
    });
  });
});
