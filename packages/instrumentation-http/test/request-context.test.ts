// The request's context reaches the listeners a handler adds to the request stream. Without help,
// `req.on('data' | 'end')` callbacks run in the HTTP parser's async context (set up when the
// connection was accepted), so a span started there (bcrypt.compare after reading a token
// request's body) would get no parent. The body is sent in later packets (sendBodyLater): a body
// that arrives with the head is read in the handler's own context and hides the problem.
import { SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { parentSpanId } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { listen, requireFrom, sendBodyLater, setupTracing } from './helpers';
import type { Running } from './helpers';

// Instrumentations first, frameworks after.
const { capture } = setupTracing();

const BODY = '{"grant_type":"password","username":"ada"}';

/** What a handler does once it has the body: a child span, as bcrypt.compare would start. */
function childSpan(): void {
  capture.provider.getTracer('request-context-test').startSpan('child').end();
}

/** The SERVER span and the child, and the child's parent must be the SERVER span. */
async function assertChildOfServerSpan(): Promise<void> {
  const spans = await capture.waitForSpans(2);
  const server = spans.find((s) => s.kind === SpanKind.SERVER);
  const child = spans.find((s) => s.name === 'child');
  assert.ok(
    server !== undefined && child !== undefined,
    `a SERVER span and a child, got ${JSON.stringify(spans.map((s) => s.name))}`,
  );
  assertParent(child, server);
}

function assertParent(child: ReadableSpan, parent: ReadableSpan): void {
  assert.equal(child.spanContext().traceId, parent.spanContext().traceId, 'same trace');
  assert.equal(parentSpanId(child), parent.spanContext().spanId, 'the child is a child of the SERVER span');
}

function plainHandler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const done = (): void => {
    childSpan();
    res.end('ok');
  };
  if (path === '/on') {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    req.on('end', () => {
      assert.equal(size, BODY.length);
      done();
    });
  } else if (path === '/once') {
    req.resume();
    req.once('end', done);
  } else if (path === '/prepend') {
    req.resume();
    req.prependOnceListener('end', done);
  } else if (path === '/iterate') {
    void (async () => {
      let size = 0;
      for await (const chunk of req) size += (chunk as Buffer).length;
      assert.equal(size, BODY.length);
      done();
    })();
  } else if (path === '/listeners') {
    // The listeners as the application added them: listeners(), removeListener() and
    // listenerCount() behave as without instrumentation.
    const onData = (): void => undefined;
    const onEnd = (): void => undefined;
    req.on('data', onData);
    req.once('end', onEnd);
    const seen = {
      data: req.listeners('data').includes(onData),
      end: req.listeners('end').includes(onEnd),
      spanInEnd: false,
    };
    req.removeListener('data', onData);
    req.off('end', onEnd);
    const removed = !req.listeners('data').includes(onData) && !req.listeners('end').includes(onEnd);
    let endCalls = 0;
    req.once('end', () => {
      endCalls++;
      seen.spanInEnd = trace.getActiveSpan() !== undefined;
      // once(): a second emit must not call it again.
      req.emit('end');
      setImmediate(() => res.end(JSON.stringify({ ...seen, removed, endCalls })));
    });
    req.resume();
  } else {
    res.statusCode = 404;
    res.end();
  }
}

describe('plain node:http: listeners on the request run in the request context', () => {
  let server: Running;
  before(async () => {
    server = await listen(createServer(plainHandler));
  });
  after(() => server.close());
  beforeEach(() => capture.reset());

  for (const [path, how] of [
    ['/on', "req.on('data') / req.on('end')"],
    ['/once', "req.once('end')"],
    ['/prepend', "req.prependOnceListener('end')"],
    ['/iterate', 'for await (const chunk of req)'],
  ] as const) {
    it(`a span started after ${how} is a child of the SERVER span`, async () => {
      const res = await sendBodyLater(server.port, { method: 'POST', path, body: BODY });
      assert.equal(res.status, 200);
      await assertChildOfServerSpan();
    });
  }

  it('listeners(), removeListener(), off() and once() behave as without instrumentation', async () => {
    const res = await sendBodyLater(server.port, { method: 'POST', path: '/listeners', body: BODY });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { data: true, end: true, spanInEnd: true, removed: true, endCalls: 1 });
  });
});

/** A framework's server whose POST /oauth2/token parses BODY, then starts a child span. */
function describeBodyParserSuite(title: string, start: () => Promise<Running>): void {
  describe(title, () => {
    let server: Running;
    before(async () => {
      server = await start();
    });
    after(() => server.close());
    beforeEach(() => capture.reset());

    it('a span started after the body was parsed is a child of the SERVER span', async () => {
      const res = await sendBodyLater(server.port, { method: 'POST', path: '/oauth2/token', body: BODY });
      assert.equal(res.status, 200);
      await assertChildOfServerSpan();
    });
  });
}

type Express = typeof import('express');

for (const [label, fixture] of [
  ['express 5', 'root'],
  ['express 4', 'express-4'],
] as const) {
  describeBodyParserSuite(`${label} with express.json(): the route handler runs in the request context`, async () => {
    const express = requireFrom(fixture)('express') as Express;
    const app = express();
    app.use(express.json());
    app.post('/oauth2/token', (req, res) => {
      assert.equal((req.body as { username?: string }).username, 'ada');
      childSpan();
      res.json({ ok: true });
    });
    return listen(createServer(app));
  });
}

interface FastifyApp {
  post(path: string, handler: (req: { body: unknown }) => Promise<unknown>): void;
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: import('node:net').Server;
}
type FastifyFactory = () => FastifyApp;

for (const [label, fixture] of [
  ['fastify 5', 'root'],
  ['fastify 4', 'fastify-4'],
] as const) {
  describeBodyParserSuite(
    `${label} with its JSON body parser: the route handler runs in the request context`,
    async () => {
      const fastify = requireFrom(fixture)('fastify') as FastifyFactory;
      const app = fastify();
      app.post('/oauth2/token', async (req) => {
        assert.equal((req.body as { username?: string }).username, 'ada');
        childSpan();
        return { ok: true };
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { port: (app.server.address() as import('node:net').AddressInfo).port, close: () => app.close() };
    },
  );
}
