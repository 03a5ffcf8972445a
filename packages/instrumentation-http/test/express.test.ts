// express 4 and 5 (supported: express >=4 <6): the route template comes from
// req.baseUrl + req.route.path when the response ends.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { satisfies } from './semver-lite';
import { defineServerSuite, listen, requireFrom, setupTracing, versionOf } from './helpers';
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
