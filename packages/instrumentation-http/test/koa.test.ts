// koa 2 and 3 with @koa/router (supported: koa >=2 <4): koa's createContext is patched to keep
// the context on the raw request; @koa/router's ctx._matchedRoute names the span.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { defineServerSuite, listen, requireFrom, setupTracing, versionOf } from './helpers';
import type { Running } from './helpers';
import { satisfies } from './semver-lite';
import { SUPPORTED_VERSIONS } from '../src/index';

// Instrumentations first, frameworks after.
const { capture } = setupTracing();

type Koa = typeof import('koa');
type KoaRouter = typeof import('@koa/router');

function startKoa(Koa: Koa, Router: KoaRouter): () => Promise<Running> {
  return () => {
    const app = new Koa();
    app.silent = true; // no stack traces on stderr for the 500 case
    const router = new Router();
    router.post('/clients', (ctx) => {
      ctx.status = 201;
      ctx.body = { id: 1 };
    });
    router.get('/clients/:id', (ctx) => {
      ctx.body = { ok: true };
    });
    router.get('/clients/:id/redirect', (ctx) => {
      ctx.status = 302;
      ctx.set('Location', `/clients/${ctx.params['id']}`);
    });
    router.get('/missing/:id', (ctx) => {
      ctx.status = 404;
      ctx.body = { error: 'not found' };
    });
    router.get('/boom/:id', () => {
      throw new Error('handler failed');
    });
    for (const p of ['/health/alive', '/health/ready', '/metrics']) router.get(p, (ctx) => void (ctx.body = 'ok'));
    const orders = new Router({ prefix: '/api/v1' });
    orders.get('/orders/:orderId', (ctx) => {
      ctx.body = { ok: true };
    });
    app.use(router.routes()).use(orders.routes());
    return listen(createServer(app.callback()));
  };
}

function routerOf(req: NodeJS.Require): KoaRouter {
  const mod = req('@koa/router') as KoaRouter & { default?: KoaRouter };
  return mod.default ?? mod;
}

const root = requireFrom('root');
const koa2 = requireFrom('koa-2');

describe('koa versions', () => {
  it(`koa 3 and koa 2 are both in the supported range ${SUPPORTED_VERSIONS.koa}`, () => {
    const v3 = versionOf(root, 'koa');
    const v2 = versionOf(koa2, 'koa');
    assert.match(v3, /^3\./);
    assert.match(v2, /^2\./);
    assert.ok(satisfies(v3, SUPPORTED_VERSIONS.koa) && satisfies(v2, SUPPORTED_VERSIONS.koa));
  });
});

defineServerSuite('koa 3 + @koa/router 14', capture, startKoa(root('koa') as Koa, routerOf(root)));
defineServerSuite('koa 2 + @koa/router 13', capture, startKoa(koa2('koa') as Koa, routerOf(koa2)));
