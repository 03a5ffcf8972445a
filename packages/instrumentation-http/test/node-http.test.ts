// Plain node:http: route templates from the `routes` option; otherwise the span is named after
// the method alone and the scrubbed path goes to `url.path`. The options that change what a
// SERVER span records.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createSpanCapture } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertSpan } from '@tracepack/testing';
import { compositePropagator, dumpSpans, listen, oneServerSpan, send, sendAndAbort, setupTracing } from './helpers';
import type { Running, Traced } from './helpers';
import type { HttpInstrumentationConfig } from '../src/index';

const capture = createSpanCapture({ propagator: compositePropagator() });

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) {
    res.statusCode = Number(status[1]);
    if (res.statusCode === 302) res.setHeader('location', '/');
    res.end();
    return;
  }
  if (path.startsWith('/slow')) {
    setTimeout(() => res.end('late'), 300);
    return;
  }
  res.end('ok');
}

/** One instrumentation set per block (turned off after it), one plain server. */
function withServer(config: HttpInstrumentationConfig, env: Record<string, string> = {}): { port: () => number } {
  let traced: Traced;
  let server: Running;
  before(async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    traced = setupTracing(config, capture);
    process.env = saved;
    server = await listen(createServer(handler));
  });
  after(async () => {
    await server.close();
    traced.disable();
  });
  beforeEach(() => capture.reset());
  return { port: () => server.port };
}

describe('plain node:http with routes', () => {
  const s = withServer({
    routes: ['/clients/:id', '/clients/search', '/files/*', '/status/:code'],
    captureRequestHeaders: ['X-Request-Id'],
  });

  for (const [path, name, route] of [
    ['/clients/42?expand=all', 'GET /clients/:id', '/clients/:id'],
    ['/clients/search?q=ada', 'GET /clients/search', '/clients/search'],
    ['/clients/42/', 'GET /clients/:id', '/clients/:id'],
    ['/files/a/b/c.txt', 'GET /files/*', '/files/*'],
  ] as const) {
    it(`${path} is named "${name}"`, async () => {
      await send(s.port(), { path });
      assertSpan(await oneServerSpan(capture), {
        name,
        kind: SpanKind.SERVER,
        root: true,
        attributes: { 'http.route': route },
      });
    });
  }

  it('a path outside the routes is named after the method, the scrubbed path in url.path, without http.route', async () => {
    await send(s.port(), { path: '/other/42/x' });
    assertSpan(await oneServerSpan(capture), {
      name: 'GET',
      attributes: { 'http.route': undefined, 'url.path': '/other/{id}/x' },
    });
  });

  it('a route-named span records no url.path: the template stands for the path', async () => {
    await send(s.port(), { path: '/clients/alice' });
    const span = await oneServerSpan(capture);
    assertSpan(span, { name: 'GET /clients/:id', attributes: { 'http.route': '/clients/:id', 'url.path': undefined } });
    assert.ok(!dumpSpans([span]).includes('alice'), dumpSpans([span]));
  });

  for (const status of [200, 204, 302, 304, 400, 404, 499, 500, 503]) {
    const isError = status >= 400;
    it(`status ${status} is ${isError ? '' : 'not '}an error`, async () => {
      const res = await send(s.port(), { path: `/status/${status}` });
      assert.equal(res.status, status);
      assertSpan(await oneServerSpan(capture), {
        name: 'GET /status/:code',
        status: isError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET,
        attributes: { 'http.response.status_code': status, 'error.type': isError ? String(status) : undefined },
      });
    });
  }

  it('records only the request headers named in captureRequestHeaders, as string[]', async () => {
    await send(s.port(), {
      path: '/clients/42',
      headers: { 'X-Request-Id': 'req-1', 'X-Api-Key': 'key-1', Cookie: 'a=b' },
    });
    const span = await oneServerSpan(capture);
    assertSpan(span, {
      attributes: { 'http.request.header.x-request-id': ['req-1'], 'user_agent.original': 'tracepack-test/1.0' },
    });
    assert.deepEqual(
      Object.keys(span.attributes).filter((k) => k.startsWith('http.request.header.')),
      ['http.request.header.x-request-id'],
    );
  });

  it('a request the client aborts ends the span with error.type "aborted"', async () => {
    await sendAndAbort(s.port(), '/slow/42', 50);
    const span = await oneServerSpan(capture);
    assertSpan(span, {
      name: 'GET',
      status: SpanStatusCode.ERROR,
      attributes: { 'error.type': 'aborted', 'http.response.status_code': undefined, 'url.path': '/slow/{id}' },
    });
  });

  it('an unknown method is recorded as _OTHER and named HTTP', async () => {
    await send(s.port(), { method: 'PURGE', path: '/clients/42' });
    assertSpan(await oneServerSpan(capture), {
      name: 'HTTP /clients/:id',
      attributes: { 'http.request.method': '_OTHER' },
    });
  });

  it('an unknown method on a path outside the routes is named HTTP alone', async () => {
    await send(s.port(), { method: 'PURGE', path: '/caches/alice' });
    assertSpan(await oneServerSpan(capture), {
      name: 'HTTP',
      attributes: { 'http.request.method': '_OTHER', 'url.path': '/caches/alice' },
    });
  });
});

describe('plain node:http without routes: named after the method, ids scrubbed from url.path', () => {
  const s = withServer({});
  for (const [path, urlPath] of [
    ['/clients/42', '/clients/{id}'],
    ['/orders/550e8400-e29b-41d4-a716-446655440000/items', '/orders/{id}/items'],
    ['/users/ada.lovelace@example.com/tokens/AbCdEfGhIjKlMnOpQrSt', '/users/{id}/tokens/{id}'],
    ['/users/ada%40example.com', '/users/{id}'],
    ['/blobs/5f2b9c0e7a1d4e3f', '/blobs/{id}'],
    ['/api/v2/invoices/inv_8f2k9x?download=true', '/api/v2/invoices/{id}'],
    ['/users/alice', '/users/alice'],
    ['/', '/'],
  ] as const) {
    it(`${path} -> "GET", url.path "${urlPath}"`, async () => {
      await send(s.port(), { path });
      const span = await oneServerSpan(capture);
      assertSpan(span, {
        name: 'GET',
        attributes: { 'http.route': undefined, 'url.path': urlPath, 'url.query': undefined },
      });
      assert.ok(!dumpSpans([span]).includes('example.com'));
      assert.ok(!dumpSpans([span]).includes('download'));
    });
  }

  it('POST to a path of words: the name is "POST", never a word of the path', async () => {
    await send(s.port(), { method: 'POST', path: '/users/alice/rename/bob', body: '{}' });
    const span = await oneServerSpan(capture);
    assertSpan(span, { name: 'POST', attributes: { 'url.path': '/users/alice/rename/bob' } });
  });
});

describe('options: captureUserAgent false, custom ignorePaths, OTEL_SEMCONV_STABILITY_OPT_IN=http/dup', () => {
  const s = withServer(
    { captureUserAgent: false, ignorePaths: ['/internal/*', '/ping'], routes: ['/clients/:id'] },
    { OTEL_SEMCONV_STABILITY_OPT_IN: 'database, http/dup' },
  );

  it('records the old attribute names next to the stable ones, never a raw target or url', async () => {
    await send(s.port(), { path: '/clients/42?x=1' });
    const span = await oneServerSpan(capture);
    assertSpan(span, {
      name: 'GET /clients/:id',
      attributes: {
        'http.request.method': 'GET',
        'http.method': 'GET',
        'http.response.status_code': 200,
        'http.status_code': 200,
        'http.route': '/clients/:id',
        'http.target': undefined,
        'http.url': undefined,
        'user_agent.original': undefined,
        'http.user_agent': undefined,
      },
    });
  });

  for (const path of ['/internal/metrics', '/internal/', '/ping', '/ping?x=1']) {
    it(`ignores ${path}`, async () => {
      await send(s.port(), { path });
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        capture.spans().map((x) => x.name),
        [],
      );
    });
  }

  it('the defaults are replaced, not extended: /health/alive is traced now', async () => {
    await send(s.port(), { path: '/health/alive' });
    assertSpan(await oneServerSpan(capture), { name: 'GET', attributes: { 'url.path': '/health/alive' } });
  });
});

describe('enabled: false', () => {
  const s = withServer({ enabled: false });
  it('makes no span at all', async () => {
    await send(s.port(), { path: '/clients/42' });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      capture.spans().map((x) => x.name),
      [],
    );
  });
});
