// fastify 4 and 5 (supported: fastify >=4 <6): every instance is published on the
// `fastify.initialization` diagnostics channel, whose subscriber adds an onRequest hook that keeps
// request.routeOptions.url (routerPath on older 4.x) on the raw request. fastify itself is not
// patched, so an import, or NestJS's own copy, is covered as a require is.
import { assertSpan } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineServerSuite, oneServerSpan, requireFrom, send, setupTracing, versionOf } from './helpers';
import type { Running } from './helpers';
import { satisfies } from './semver-lite';
import { SUPPORTED_VERSIONS } from '../src/index';

// Instrumentations first, frameworks after.
const { capture, instrumentations, disable } = setupTracing();

interface Reply {
  code(n: number): Reply;
  header(k: string, v: string): Reply;
  send(body?: unknown): Reply;
}
interface FastifyApp {
  get(path: string, handler: (req: { params: Record<string, string> }, reply: Reply) => unknown): void;
  post(path: string, handler: (req: unknown, reply: Reply) => unknown): void;
  register(plugin: (app: FastifyApp, opts: unknown, done: () => void) => void, opts: { prefix: string }): void;
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: import('node:net').Server;
}
type FastifyFactory = (opts?: object) => FastifyApp;

function startFastify(fastify: FastifyFactory): () => Promise<Running> {
  return async () => {
    const app = fastify();
    app.post('/clients', async (_req, reply) => reply.code(201).send({ id: 1 }));
    app.get('/clients/:id', async () => ({ ok: true }));
    app.get('/clients/:id/redirect', async (req, reply) =>
      reply.code(302).header('location', `/clients/${req.params['id']}`).send(),
    );
    app.get('/missing/:id', async (_req, reply) => reply.code(404).send({ error: 'not found' }));
    app.get('/boom/:id', async () => {
      throw new Error('handler failed');
    });
    for (const p of ['/health/alive', '/health/ready', '/metrics']) app.get(p, async () => 'ok');
    app.register(
      (orders, _opts, done) => {
        orders.get('/orders/:orderId', async () => ({ ok: true }));
        done();
      },
      { prefix: '/api/v1' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as import('node:net').AddressInfo;
    return { port: address.port, close: () => app.close() };
  };
}

const fastify5 = requireFrom('root')('fastify') as FastifyFactory;
const fastify4 = requireFrom('fastify-4')('fastify') as FastifyFactory;

describe('fastify versions', () => {
  it(`fastify 5 and fastify 4 are both in the supported range ${SUPPORTED_VERSIONS.fastify}`, () => {
    const v5 = versionOf(requireFrom('root'), 'fastify');
    const v4 = versionOf(requireFrom('fastify-4'), 'fastify');
    assert.match(v5, /^5\./);
    assert.match(v4, /^4\./);
    assert.ok(satisfies(v5, SUPPORTED_VERSIONS.fastify) && satisfies(v4, SUPPORTED_VERSIONS.fastify));
  });

  it('the module is left as fastify exports it (fastify.fastify, default, errorCodes)', () => {
    const mod = fastify5 as unknown as Record<string, unknown>;
    assert.equal(mod['fastify'], fastify5);
    assert.equal(mod['default'], fastify5);
    assert.equal(typeof mod['errorCodes'], 'object');
  });
});

defineServerSuite('fastify 5', capture, startFastify(fastify5));
defineServerSuite('fastify 4', capture, startFastify(fastify4));

// Last: it turns the instrumentations off and on again.
describe('fastify channel subscription', () => {
  it('an instance created while the instrumentation is off gets no hook; one created after enable() does', async (t) => {
    const startRoutes = (app: FastifyApp) => app.get('/clients/:id', async () => ({ ok: true }));
    disable();
    const whileOff = fastify5();
    for (const instrumentation of instrumentations) instrumentation.enable();
    const afterOn = fastify5();
    for (const app of [whileOff, afterOn]) {
      startRoutes(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      t.after(() => app.close());
    }
    const port = (app: FastifyApp) => (app.server.address() as import('node:net').AddressInfo).port;

    capture.reset();
    await send(port(whileOff), { path: '/clients/84573' });
    assertSpan(await oneServerSpan(capture), {
      name: 'GET',
      attributes: { 'http.route': undefined, 'url.path': '/clients/{id}' },
    });
    capture.reset();
    await send(port(afterOn), { path: '/clients/84573' });
    assertSpan(await oneServerSpan(capture), {
      name: 'GET /clients/:id',
      attributes: { 'http.route': '/clients/:id' },
    });
  });
});
