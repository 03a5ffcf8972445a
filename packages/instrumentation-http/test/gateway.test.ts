// A gateway and the service behind it form one trace: fetch (undici) and http.request CLIENT
// spans carry the context downstream through the global (composite) propagator.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { assertSpan, parentSpanId } from '@tracepack/testing';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { listen, PARENT_ID, send, setupTracing, TRACE_ID } from './helpers';
import type { Running } from './helpers';

// Instrumentations first, frameworks after.
const { capture } = setupTracing({ routes: ['/clients/:id'] });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the instrumentations, on purpose
const express = require('express') as typeof import('express');

let service: Running;
let fetchGateway: Running;
let httpGateway: Running;

function callService(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: service.port, path, method: 'GET', headers: { accept: 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  // The service: plain node:http, named through the `routes` option.
  service = await listen(
    http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.statusCode = req.url?.startsWith('/clients/404') ? 404 : 200;
      res.end(JSON.stringify({ traceparent: req.headers['traceparent'] ?? null }));
    }),
  );
  // Gateway 1: express 5 calling the service with fetch.
  const app = express();
  app.get('/api/clients/:id', async (req, res) => {
    const r = await fetch(`http://127.0.0.1:${service.port}/clients/${req.params['id']}?fields=name`);
    res.status(r.status).json(await r.json());
  });
  fetchGateway = await listen(http.createServer(app));
  // Gateway 2: plain node:http calling the service with http.request.
  httpGateway = await listen(
    http.createServer(async (req, res) => {
      const id = /\/clients\/(\d+)/.exec(req.url ?? '')?.[1] ?? '0';
      const r = await callService(`/clients/${id}?fields=name`);
      res.statusCode = r.status;
      res.end(r.body);
    }),
  );
});
after(async () => {
  await Promise.all([service.close(), fetchGateway.close(), httpGateway.close()]);
});
beforeEach(() => capture.reset());

async function threeSpans(): Promise<{ gateway: ReadableSpan; client: ReadableSpan; downstream: ReadableSpan }> {
  const spans = await capture.waitForSpans(3);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(capture.spans().length, 3, JSON.stringify(capture.spans().map((s) => s.name)));
  const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
  const client = spans.find((s) => s.kind === SpanKind.CLIENT);
  assert.ok(client, 'a CLIENT span');
  const downstream = servers.find((s) => parentSpanId(s) === client.spanContext().spanId);
  const gateway = servers.find((s) => s !== downstream);
  assert.ok(gateway && downstream);
  return { gateway, client, downstream };
}

describe('CLIENT spans follow the SERVER rule: the method alone names them, whatever the path', () => {
  for (const [label, call] of [
    ['fetch (undici)', (url: string) => fetch(url).then((r) => r.text())],
    [
      'http.get',
      (url: string) =>
        new Promise<void>((resolve, reject) => {
          http.get(url, (r) => r.resume().on('end', resolve)).on('error', reject);
        }),
    ],
  ] as const) {
    it(`${label} to /people/alice/notes/42?x=1 -> CLIENT "GET", the downstream SERVER "GET" (no route)`, async () => {
      await call(`http://127.0.0.1:${service.port}/people/alice/notes/42?x=1`);
      const spans = await capture.waitForSpans(2);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(capture.spans().length, 2, JSON.stringify(capture.spans().map((s) => s.name)));
      const client = spans.find((s) => s.kind === SpanKind.CLIENT);
      const server = spans.find((s) => s.kind === SpanKind.SERVER);
      assertSpan(client, {
        name: 'GET',
        attributes: { 'url.full': `http://127.0.0.1:${service.port}/people/alice/notes/{id}`, 'url.query': undefined },
      });
      assertSpan(server, {
        name: 'GET',
        parent: client,
        attributes: { 'url.path': '/people/alice/notes/{id}', 'http.route': undefined },
      });
    });
  }
});

for (const [label, port, gatewayName] of [
  ['fetch (undici) from express 5', () => fetchGateway.port, 'GET /api/clients/:id'],
  ['http.request from plain node:http', () => httpGateway.port, 'GET'],
] as const) {
  describe(`gateway -> service with ${label}`, () => {
    it('forms one trace: gateway SERVER -> CLIENT -> service SERVER', async () => {
      const res = await send(port(), { path: '/api/clients/42' });
      assert.equal(res.status, 200);
      const { gateway, client, downstream } = await threeSpans();
      assertSpan(gateway, { name: gatewayName, kind: SpanKind.SERVER, root: true });
      assertSpan(client, { name: 'GET', kind: SpanKind.CLIENT, parent: gateway });
      assertSpan(downstream, {
        name: 'GET /clients/:id',
        kind: SpanKind.SERVER,
        parent: client,
        attributes: { 'http.route': '/clients/:id' },
      });
      const seen = JSON.parse(res.body) as { traceparent: string };
      assert.equal(seen.traceparent, `00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    });

    it('the CLIENT span records a scrubbed url without query string', async () => {
      await send(port(), { path: '/api/clients/42' });
      const { client } = await threeSpans();
      assertSpan(client, {
        attributes: {
          'url.full': `http://127.0.0.1:${service.port}/clients/{id}`,
          'url.query': undefined,
          'http.response.status_code': 200,
          'server.address': '127.0.0.1',
          'server.port': service.port,
        },
      });
      const path = client.attributes['url.path'];
      assert.ok(path === undefined || path === '/clients/{id}');
      assert.ok(!JSON.stringify(client.attributes).includes('fields'));
      // The id of the path (42) must not appear; the random port may hold the digits 42.
      const values = Object.entries(client.attributes).filter(([k]) => !k.endsWith('.port'));
      assert.ok(
        !JSON.stringify(values).replaceAll(`:${service.port}/`, ':PORT/').includes('42'),
        JSON.stringify(values),
      );
      assert.ok(
        !Object.keys(client.attributes).some(
          (k) => k.startsWith('http.request.header.') || k.startsWith('http.response.header.'),
        ),
      );
    });

    it('continues the trace the gateway received (traceparent in, same trace id out)', async () => {
      await send(port(), { path: '/api/clients/42', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
      const { gateway, client, downstream } = await threeSpans();
      assert.equal(parentSpanId(gateway), PARENT_ID);
      for (const s of [gateway, client, downstream]) assert.equal(s.spanContext().traceId, TRACE_ID);
    });

    it('a 404 from the service is an error on the CLIENT and on the service span', async () => {
      const res = await send(port(), { path: '/api/clients/404' });
      assert.equal(res.status, 404);
      const { gateway, client, downstream } = await threeSpans();
      for (const s of [gateway, client, downstream]) {
        assertSpan(s, {
          status: SpanStatusCode.ERROR,
          attributes: { 'error.type': '404', 'http.response.status_code': 404 },
        });
      }
    });
  });
}
