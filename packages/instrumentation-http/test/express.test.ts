// express 4 and 5 (supported: express >=4 <6): the route template comes from req.route.path
// and the templates of the mount paths above it (req.baseUrl only holds their matched value)
// when the response ends.
import { SpanKind } from '@opentelemetry/api';
import { assertSpan } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { satisfies } from './semver-lite';
import {
  defineServerSuite,
  dumpSpans,
  listen,
  oneServerSpan,
  requireFrom,
  send,
  setupTracing,
  versionOf,
} from './helpers';
import type { Running } from './helpers';
import { SUPPORTED_VERSIONS } from '../src/index';

// Instrumentations first, frameworks after.
const { capture } = setupTracing();

type Express = typeof import('express');

function startExpress(express: Express): () => Promise<Running> {
  return () => {
    const app = express();
    app.set('env', 'test'); // no stack traces on stderr for the 500 case
    app.use(express.json());
    app.post('/clients', (_req, res) => {
      res.status(201).json({ id: 1 });
    });
    app.get('/clients/:id', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/clients/:id/redirect', (req, res) => {
      res.redirect(302, `/clients/${req.params.id}`);
    });
    app.get('/missing/:id', (_req, res) => {
      res.status(404).json({ error: 'not found' });
    });
    app.get('/boom/:id', () => {
      throw new Error('handler failed');
    });
    for (const p of ['/health/alive', '/health/ready', '/metrics']) app.get(p, (_req, res) => void res.send('ok'));
    const orders = express.Router();
    orders.get('/orders/:orderId', (_req, res) => {
      res.json({ ok: true });
    });
    app.use('/api/v1', orders);
    return listen(createServer(app));
  };
}

const express5 = requireFrom('root')('express') as Express;
const express4 = requireFrom('express-4')('express') as Express;

describe('express versions', () => {
  it(`express 5 and express 4 are both in the supported range ${SUPPORTED_VERSIONS.express}`, () => {
    const v5 = versionOf(requireFrom('root'), 'express');
    const v4 = versionOf(requireFrom('express-4'), 'express');
    assert.match(v5, /^5\./);
    assert.match(v4, /^4\./);
    assert.ok(satisfies(v5, SUPPORTED_VERSIONS.express) && satisfies(v4, SUPPORTED_VERSIONS.express));
  });
});

defineServerSuite('express 5', capture, startExpress(express5));
defineServerSuite('express 4', capture, startExpress(express4));

/**
 * Routers and sub-apps mounted at paths with parameters, nested, and in two places: the name
 * holds the templates of the mount paths, never the values (`acme`, `alice`) express matched.
 */
function startMounted(express: Express): () => Promise<Running> {
  return () => {
    const app = express();
    const ok = (_req: unknown, res: { json: (x: unknown) => void }): void => res.json({ ok: true });
    const users = express.Router();
    users.get('/users/:id', ok);
    users.get('/', ok);
    const tenants = express.Router();
    tenants.use('/teams/:team', users);
    tenants.get('/settings', ok);
    app.use('/tenants/:tenant', tenants);
    app.use('/orgs/:org', users); // the same router, mounted a second time
    app.use('/static', users);
    const admin = express();
    const audit = express.Router();
    audit.get('/entries/:entry', ok);
    admin.use('/audit', audit);
    admin.get('/people/:person', ok);
    app.use('/admin/:realm', admin);
    app.use(/^\/re\/([a-z]+)/, users);
    return listen(createServer(app));
  };
}

for (const [label, express] of [
  ['express 5', express5],
  ['express 4', express4],
] as const) {
  describe(`${label}: mount paths with parameters`, () => {
    let server: Running;
    before(async () => {
      server = await startMounted(express)();
    });
    after(() => server.close());
    beforeEach(() => capture.reset());

    for (const [path, route] of [
      ['/tenants/acme/settings', '/tenants/:tenant/settings'],
      ['/tenants/acme/teams/blue/users/alice', '/tenants/:tenant/teams/:team/users/:id'],
      // express matches case-insensitively; an express 4 layer keeps no path, so its literal
      // segments are spelled as the request spelled them.
      [
        '/Tenants/acme/teams/blue/',
        label === 'express 5' ? '/tenants/:tenant/teams/:team' : '/Tenants/:tenant/teams/:team',
      ],
      ['/orgs/initech/users/alice', '/orgs/:org/users/:id'],
      ['/static/users/alice', '/static/users/:id'],
      ['/admin/north/people/alice', '/admin/:realm/people/:person'],
      ['/admin/north/audit/entries/alice', '/admin/:realm/audit/entries/:entry'],
    ] as const) {
      it(`${path} -> "GET ${route}"`, async () => {
        const res = await send(server.port, { path });
        assert.equal(res.status, 200, res.body);
        const span = await oneServerSpan(capture);
        assertSpan(span, {
          name: `GET ${route}`,
          kind: SpanKind.SERVER,
          attributes: { 'http.route': route, 'url.path': undefined },
        });
        const dump = dumpSpans([span]);
        for (const value of ['acme', 'blue', 'alice', 'initech', 'north'])
          assert.ok(!dump.includes(value), `${value} in ${dump}`);
      });
    }

    it('a RegExp mount path: express 4 names its groups by number, express 5 keeps none; no value either way', async () => {
      await send(server.port, { path: '/re/acme/users/alice' });
      const span = await oneServerSpan(capture);
      if (label === 'express 4')
        assertSpan(span, { name: 'GET /re/:0/users/:id', attributes: { 'http.route': '/re/:0/users/:id' } });
      else
        assertSpan(span, { name: 'GET', attributes: { 'http.route': undefined, 'url.path': '/re/acme/users/alice' } });
      assert.ok(!span.name.includes('acme') && !span.name.includes('alice'), span.name);
    });
  });
}
