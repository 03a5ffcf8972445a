// Unsampled requests take the short path: the context still carries a (non-recording) span to
// the handler and to the request's listeners, but nothing is kept on the response. A sampled
// request (here: a sampled parent in the headers) is recorded in full.
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AlwaysOffSampler, TracerProvider, ParentBasedSampler, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { assertSpan, createSpanCapture } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { compositePropagator, listen, oneServerSpan, PARENT_ID, sendBodyLater, TRACE_ID } from './helpers';
import type { Running } from './helpers';
import { createHttpInstrumentations } from '../src/index';
import { cachedParseHost, parseHost } from '../src/utils';

// The global context manager and propagator of the capture; a provider that samples no new trace.
const capture = createSpanCapture({ propagator: compositePropagator() });
const provider = new TracerProvider({
  sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: capture.exporter })],
});
const unregister = registerInstrumentations({
  instrumentations: createHttpInstrumentations({ outgoing: false }),
  tracerProvider: provider,
});
after(() => unregister());

const kServerState = Symbol.for('tracepack.http.serverState');

interface Seen {
  traceId: string | undefined;
  recording: boolean | undefined;
  sameSpanInEnd: boolean;
  state: boolean;
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  const span = trace.getActiveSpan();
  let sameSpanInEnd = false;
  req.resume();
  req.on('end', () => {
    sameSpanInEnd = span !== undefined && trace.getActiveSpan() === span;
  });
  req.on('close', () => {
    const seen: Seen = {
      traceId: span?.spanContext().traceId,
      recording: span?.isRecording(),
      sameSpanInEnd,
      state: kServerState in res,
    };
    res.end(JSON.stringify(seen));
  });
}

describe('sampling', () => {
  let server: Running;
  before(async () => {
    server = await listen(createServer(handler));
  });
  after(() => server.close());
  beforeEach(() => capture.reset());

  it('an unsampled request: a non-recording span in context (handler and listeners), no state, no span', async () => {
    const res = await sendBodyLater(server.port, { method: 'POST', path: '/clients/42', body: '{}' });
    const seen = JSON.parse(res.body) as Seen;
    assert.match(seen.traceId ?? '', /^(?!0+$)[0-9a-f]{32}$/);
    assert.deepEqual(
      { ...seen, traceId: undefined },
      { traceId: undefined, recording: false, sameSpanInEnd: true, state: false },
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      capture.spans().map((s) => s.name),
      [],
    );
  });

  it('a sampled parent: the span is recorded with its name and every attribute', async () => {
    const res = await sendBodyLater(server.port, {
      method: 'POST',
      path: '/clients/42',
      body: '{}',
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    const seen = JSON.parse(res.body) as Seen;
    assert.deepEqual(seen, { traceId: TRACE_ID, recording: true, sameSpanInEnd: true, state: true });
    const span = await oneServerSpan(capture);
    assertSpan(span, {
      name: 'POST',
      attributes: {
        'http.request.method': 'POST',
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'network.protocol.version': '1.1',
        'user_agent.original': 'tracepack-test/1.0',
        'http.response.status_code': 200,
        'url.path': '/clients/{id}',
      },
    });
  });
});

describe('cachedParseHost', () => {
  it('answers as parseHost, also past its bound', () => {
    const parse = cachedParseHost(443);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 150; i++) {
        for (const host of [`h${i}.example.com`, `h${i}.example.com:${8000 + i}`, `[::${i}]:${i + 1}`, undefined, '']) {
          assert.deepEqual(parse(host), parseHost(host, 443));
        }
      }
    }
  });
});
