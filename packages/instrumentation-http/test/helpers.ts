// Test fixtures for @tracepack/instrumentation-http: the propagator the start-up package
// installs (see compositePropagator for why it is built here), an uninstrumented raw HTTP client (plain `net`, so that test requests carry
// exactly the headers a test writes and create no CLIENT span), framework loaders for the
// version fixtures under compat/*, and the server suite every framework runs.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { assertSpan, createSpanCapture, parentSpanId } from '@tracepack/testing';
import type { SpanCapture } from '@tracepack/testing';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpInstrumentations } from '../src/index';
import type { HttpInstrumentationConfig } from '../src/index';

/**
 * The propagator `startTracing` installs, built as start-up builds it: @tracepack/config resolves
 * the `propagators` key (its default, tracecontext + baggage, when `propagators` is not given;
 * nothing from the environment), and @tracepack/node's `TracepackPropagator` reads every format
 * (W3C tracecontext + baggage, Jaeger `uber-trace-id`, B3 single and multi) and writes that
 * list. Both are taken from their builds at run time: they depend on this package, so they
 * cannot be build references here.
 *
 * Why these suites do not call `startTracing` itself: it is one per process, owns the globals
 * (tracer provider, context manager, propagator) and registers its own copy of these
 * instrumentations, while each suite here registers the source under test against an in-memory
 * capture, several configurations per file, turned off between blocks. What start-up does with
 * the key (each value, combinations, variables, a config file: the exact headers written, every
 * format read) is proven through `startTracing` in test/src/propagators.test.ts.
 */
export function compositePropagator(propagators?: readonly string[]): TextMapPropagator {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadTracingConfig } = require('@tracepack/config') as {
    loadTracingConfig: (options: { config: Record<string, unknown>; env: Record<string, string>; argv: string[] }) => {
      config: { propagators: string[] };
    };
  };
  const { TracepackPropagator } = require('@tracepack/node') as {
    TracepackPropagator: new (write: readonly string[]) => TextMapPropagator;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { config } = loadTracingConfig({
    config: propagators === undefined ? {} : { propagators: [...propagators] },
    env: {},
    argv: [],
  });
  return new TracepackPropagator(config.propagators);
}

export interface Traced {
  capture: SpanCapture;
  instrumentations: Instrumentation[];
  /** Turns these instrumentations off (unpatches http and the frameworks). */
  disable(): void;
}

/** Span capture with start-up's default propagator, then the instrumentations: call before loading a framework. */
export function setupTracing(config: HttpInstrumentationConfig = {}, capture?: SpanCapture): Traced {
  const c = capture ?? createSpanCapture({ propagator: compositePropagator() });
  const instrumentations = createHttpInstrumentations(config);
  const unregister = registerInstrumentations({ instrumentations, tracerProvider: c.provider });
  return { capture: c, instrumentations, disable: unregister };
}

// ---------------------------------------------------------------------------------------------
// Framework versions: the root workspace holds the newest major, compat/* the older one.

const repoRoot = join(__dirname, '..', '..', '..', '..');

/** `require` as seen from a version fixture (`express-4`, `fastify-4`, `koa-2`) or from this package. */
export function requireFrom(fixture: 'express-4' | 'fastify-4' | 'koa-2' | 'root'): NodeJS.Require {
  const dir =
    fixture === 'root' ? join(repoRoot, 'packages', 'instrumentation-http') : join(repoRoot, 'compat', fixture);
  return createRequire(join(dir, 'package.json'));
}

export function versionOf(req: NodeJS.Require, name: string): string {
  return (req(`${name}/package.json`) as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// Servers and the raw client

export interface Running {
  port: number;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  /** Written as given (no validation): malformed values reach the server unchanged. */
  headers?: Record<string, string>;
  body?: string;
}

/** One HTTP/1.1 request over a fresh socket, `Connection: close`; no instrumentation involved. */
export function send(port: number, request: RawRequest): Promise<RawResponse> {
  return sendRaw(port, [serialize(port, request)], 0);
}

/**
 * Like `send`, but the body arrives in two later packets, `gapMs` apart, after the head: the
 * server reads it in the parser's callbacks (the socket's async context), not in the handler's.
 */
export function sendBodyLater(port: number, request: RawRequest & { body: string }, gapMs = 30): Promise<RawResponse> {
  const whole = serialize(port, request);
  const bodyStart = whole.length - request.body.length;
  const half = bodyStart + Math.ceil(request.body.length / 2);
  return sendRaw(port, [whole.slice(0, bodyStart), whole.slice(bodyStart, half), whole.slice(half)], gapMs);
}

function sendRaw(port: number, parts: string[], gapMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!match) return reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(match[1]), head, body: split === -1 ? '' : text.slice(split + 4) });
    });
    const writeFrom = (i: number): void => {
      socket.write(parts[i]!);
      if (i + 1 < parts.length) setTimeout(() => writeFrom(i + 1), gapMs);
    };
    writeFrom(0);
  });
}

/** Sends the request head, then closes the socket before the (slow) response arrives. */
export async function sendAndAbort(port: number, path: string, afterMs: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(serialize(port, { path }));
  await new Promise((r) => setTimeout(r, afterMs));
  socket.destroy();
}

function serialize(port: number, { method = 'GET', path, headers = {}, body }: RawRequest): string {
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nUser-Agent: tracepack-test/1.0\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  return `${head}\r\n${body ?? ''}`;
}

// ---------------------------------------------------------------------------------------------
// Assertions

export function serverSpans(capture: SpanCapture): ReadableSpan[] {
  return capture.spans().filter((s) => s.kind === SpanKind.SERVER);
}

export async function oneServerSpan(capture: SpanCapture): Promise<ReadableSpan> {
  const [span] = await capture.waitForSpans(1, (s) => s.kind === SpanKind.SERVER);
  // Give a wrongly doubled span the chance to show up.
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(
    serverSpans(capture).length,
    1,
    `one SERVER span, got ${JSON.stringify(serverSpans(capture).map((s) => s.name))}`,
  );
  return span!;
}

/** Everything a span could leak through: name, attributes, events, status, links, resource-free. */
export function dumpSpans(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links })),
  );
}

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const PARENT_ID = '00f067aa0ba902b7';

/** One header set per propagation format, each carrying TRACE_ID / PARENT_ID. */
export const PROPAGATION_CASES: { format: string; headers: Record<string, string> }[] = [
  { format: 'W3C traceparent', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } },
  { format: 'Jaeger uber-trace-id', headers: { 'uber-trace-id': `${TRACE_ID}:${PARENT_ID}:0:1` } },
  { format: 'B3 single', headers: { b3: `${TRACE_ID}-${PARENT_ID}-1` } },
  {
    format: 'B3 multi',
    headers: { 'X-B3-TraceId': TRACE_ID, 'X-B3-SpanId': PARENT_ID, 'X-B3-Sampled': '1' },
  },
];

export const MALFORMED_CASES: { format: string; headers: Record<string, string> }[] = [
  { format: 'W3C traceparent', headers: { traceparent: '00-zzzz-not-a-trace-01' } },
  { format: 'W3C traceparent (all zero)', headers: { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` } },
  { format: 'Jaeger uber-trace-id', headers: { 'uber-trace-id': '%E0%A4%A:::' } },
  { format: 'Jaeger uber-trace-id (short)', headers: { 'uber-trace-id': 'abc' } },
  { format: 'B3 single', headers: { b3: 'not-a-b3-header-at-all' } },
  { format: 'B3 multi', headers: { 'X-B3-TraceId': 'xyz', 'X-B3-SpanId': '??', 'X-B3-Sampled': 'maybe' } },
  { format: 'baggage', headers: { baggage: '=;;=%%%' } },
];

// ---------------------------------------------------------------------------------------------
// The suite every framework runs. The app must serve:
//   POST /clients                -> 201
//   GET  /clients/:id            -> 200
//   GET  /clients/:id/redirect   -> 302
//   GET  /missing/:id            -> 404 (a route that answers 404)
//   GET  /boom/:id               -> the handler throws -> 500
//   GET  /api/v1/orders/:orderId -> 200 (router mounted at / prefixed with /api/v1)
//   GET  /health/alive, /health/ready, /metrics -> 200 (ignored by default)
// Routes are written here as express writes them; `template` turns them into the framework's own
// form when it has another (hapi: `/clients/{id}`).

export interface ServerSuiteOptions {
  /** The framework's form of a route written `/clients/:id`. @default the same */
  template?: (route: string) => string;
}

/** hapi's form of a route: `/clients/:id` -> `/clients/{id}`. */
export function hapiTemplate(route: string): string {
  return route.replace(/:(\w+)/g, '{$1}');
}

export function defineServerSuite(
  label: string,
  capture: SpanCapture,
  start: () => Promise<Running>,
  options: ServerSuiteOptions = {},
): void {
  const template = options.template ?? ((route: string) => route);
  describe(label, () => {
    let server: Running;
    before(async () => {
      server = await start();
    });
    after(() => server.close());
    beforeEach(() => capture.reset());

    const cases: { method: string; path: string; status: number; name: string; route: string }[] = [
      { method: 'POST', path: '/clients', status: 201, route: '/clients' },
      { method: 'GET', path: '/clients/84573?expand=all', status: 200, route: '/clients/:id' },
      { method: 'GET', path: '/clients/84573/redirect', status: 302, route: '/clients/:id/redirect' },
      { method: 'GET', path: '/missing/84573', status: 404, route: '/missing/:id' },
      { method: 'GET', path: '/boom/84573', status: 500, route: '/boom/:id' },
      { method: 'GET', path: '/api/v1/orders/84573', status: 200, route: '/api/v1/orders/:orderId' },
    ].map((c) => ({ ...c, route: template(c.route), name: `${c.method} ${template(c.route)}` }));
    const clientName = `GET ${template('/clients/:id')}`;
    for (const c of cases) {
      it(`${c.method} ${c.path} -> one root SERVER span "${c.name}", status ${c.status}`, async () => {
        const res = await send(server.port, {
          method: c.method,
          path: c.path,
          body: c.method === 'POST' ? '{"name":"Ada"}' : undefined,
        });
        assert.equal(res.status, c.status);
        const span = await oneServerSpan(capture);
        const isError = c.status >= 400;
        assertSpan(span, {
          name: c.name,
          kind: SpanKind.SERVER,
          root: true,
          status: isError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET,
          attributes: {
            'http.request.method': c.method,
            'http.route': c.route,
            'http.response.status_code': c.status,
            'url.scheme': 'http',
            'server.address': '127.0.0.1',
            'server.port': server.port,
            'network.protocol.version': '1.1',
            'user_agent.original': 'tracepack-test/1.0',
            'error.type': isError ? String(c.status) : undefined,
            'url.path': undefined,
            'url.query': undefined,
            'url.full': undefined,
          },
        });
        assert.ok(!dumpSpans([span]).includes('84573'), 'the id reaches no span name or attribute');
        assert.ok(!dumpSpans([span]).includes('expand'), 'no query string');
      });
    }

    it('a path no route matches is named after the method alone; url.path holds the scrubbed path, no http.route', async () => {
      const res = await send(server.port, {
        path: '/unknown/alice/84573/things/3f2a9c1e-5b7d-4e8a-9c0b-1d2e3f4a5b6c?q=x',
      });
      assert.equal(res.status, 404);
      const span = await oneServerSpan(capture);
      assertSpan(span, {
        name: 'GET',
        kind: SpanKind.SERVER,
        status: SpanStatusCode.ERROR,
        attributes: {
          'http.route': undefined,
          'url.path': '/unknown/alice/{id}/things/{id}',
          'url.query': undefined,
          'url.full': undefined,
          'http.response.status_code': 404,
          'error.type': '404',
        },
      });
      const dump = dumpSpans([span]);
      assert.ok(!dump.includes('84573') && !dump.includes('3f2a9c1e') && !dump.includes('q=x'), dump);
    });

    for (const p of ['/health/alive', '/health/ready', '/metrics', '/health/alive?verbose=1']) {
      it(`ignored path ${p} makes no span`, async () => {
        const res = await send(server.port, { path: p });
        assert.equal(res.status, 200);
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(
          capture.spans().map((s) => s.name),
          [],
        );
      });
    }

    for (const c of PROPAGATION_CASES) {
      it(`joins the trace from ${c.format}`, async () => {
        await send(server.port, { path: '/clients/84573', headers: c.headers });
        const span = await oneServerSpan(capture);
        assertSpan(span, { name: clientName, kind: SpanKind.SERVER });
        assert.equal(span.spanContext().traceId, TRACE_ID);
        assert.equal(parentSpanId(span), PARENT_ID);
        assert.equal(span.parentSpanContext?.isRemote, true);
      });
    }

    for (const c of MALFORMED_CASES) {
      it(`a malformed ${c.format} header starts a new trace`, async () => {
        const res = await send(server.port, { path: '/clients/84573', headers: c.headers });
        assert.equal(res.status, 200);
        const span = await oneServerSpan(capture);
        assertSpan(span, { name: clientName, root: true });
        assert.notEqual(span.spanContext().traceId, TRACE_ID);
        assert.match(span.spanContext().traceId, /^(?!0+$)[0-9a-f]{32}$/);
      });
    }
  });
}
