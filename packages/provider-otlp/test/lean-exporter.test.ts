// The lean http/protobuf exporter over real loopback HTTP: it is the default, the way back to
// upstream works, what it sends is upstream's request byte for byte and decodes in the repo's
// OTLP receiver, and its retries, keep-alive, gzip, shutdown and partial-success handling.
// (The refused / 503 / hanging / slow collector cases are in failures.test.ts, which runs on
// this exporter since it is the default.)
import { diag, DiagLogLevel, SpanStatusCode } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { startOtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  createOtlpExporter,
  createProvider,
  OtlpHttpExportError,
  OtlpHttpProtobufExporter,
  OtlpTraceEncoder,
} from '../src/index';
import { makeSpan, upstreamBytes } from './encoder-helpers';
import { exportOnce, resolveConfig, sampleSpans } from './helpers';

function otlp(serverUrl: string, extra: Record<string, unknown> = {}) {
  return resolveConfig({ provider: 'otlp', providers: { otlp: { server_url: serverUrl, ...extra } } }).providers.otlp;
}

/** A batch with every kind of field: the sample trace plus a span with links, kvlists and bytes. */
function richBatch(): ReadableSpan[] {
  const base = sampleSpans();
  const extra = makeSpan({
    resource: base[0]!.resource,
    scope: base[0]!.instrumentationScope,
    name: 'rich ✓',
    parent: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true },
    attributes: { list: [1, 'two', [3]], kv: { a: true }, bytes: new Uint8Array([1, 2, 3]), neg: -42, nan: NaN },
    links: [
      {
        context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
        attributes: { why: 'batch' },
      },
    ],
    events: [{ time: [1_700_000_000, 5], name: 'e', attributes: { n: 1 } }],
    status: { code: SpanStatusCode.OK },
  });
  return [...base, extra];
}

/** A loopback HTTP server answering with `handler`; counts requests and TCP connections. */
async function startServer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let requests = 0;
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++requests));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}

describe('otlp http/protobuf: which exporter', () => {
  it('the lean exporter by default; upstream with TRACEPACK_OTLP_ENCODER=upstream or encoder: upstream', (t) => {
    const saved = process.env.TRACEPACK_OTLP_ENCODER;
    t.after(() =>
      saved === undefined ? delete process.env.TRACEPACK_OTLP_ENCODER : (process.env.TRACEPACK_OTLP_ENCODER = saved),
    );
    delete process.env.TRACEPACK_OTLP_ENCODER;
    const config = otlp('http://127.0.0.1:9');
    assert.ok(createOtlpExporter(config) instanceof OtlpHttpProtobufExporter);
    assert.ok(createProvider(resolveConfig({ provider: 'otlp' })).exporter instanceof OtlpHttpProtobufExporter);
    assert.ok(createOtlpExporter(config, { encoder: 'upstream' }) instanceof OTLPTraceExporter);
    process.env.TRACEPACK_OTLP_ENCODER = 'upstream';
    assert.ok(createOtlpExporter(config) instanceof OTLPTraceExporter);
    assert.ok(
      createOtlpExporter(config, { encoder: 'lean' }) instanceof OtlpHttpProtobufExporter,
      'code wins over the variable',
    );
    // http/json and grpc keep their upstream exporters.
    assert.ok(
      !(createOtlpExporter(otlp('http://127.0.0.1:9', { protocol: 'http/json' })) instanceof OtlpHttpProtobufExporter),
    );
  });
});

describe('otlp http/protobuf: the lean exporter end to end', () => {
  it("sends upstream's exact request, which the OTLP receiver decodes to the same spans", async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const spans = richBatch();
    for (const encoder of ['lean', 'upstream'] as const) {
      const exporter = createOtlpExporter(otlp(receiver.url), { encoder });
      const { result } = await exportOnce(exporter, spans);
      await exporter.shutdown();
      assert.equal(result.code, ExportResultCode.SUCCESS, encoder);
    }
    assert.equal(receiver.requests.length, 2);
    const [lean, upstream] = receiver.requests;
    assert.ok(lean!.body!.equals(upstream!.body!), 'same bytes on the wire');
    assert.ok(lean!.body!.equals(upstreamBytes(spans)));
    assert.equal(lean!.contentType, 'application/x-protobuf');
    assert.equal(receiver.spanCount, 2 * spans.length);
    const decoded = receiver.spans;
    assert.deepEqual(decoded.slice(0, spans.length), decoded.slice(spans.length), 'the receiver decodes both the same');
    const rich = decoded.find((s) => s.name === 'rich ✓')!;
    assert.equal(rich.parentSpanId, '00f067aa0ba902b7');
    assert.deepEqual(rich.attributeTypes, { list: 'array', kv: 'kvlist', bytes: 'bytes', neg: 'int', nan: 'double' });
    assert.equal(rich.attributes.neg, -42);
    assert.deepEqual(rich.attributes.kv, { a: true });
  });

  it('gzip: the body inflates to the uncompressed request', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const spans = sampleSpans();
    const exporter = new OtlpHttpProtobufExporter({ url: `${receiver.url}/v1/traces`, compression: 'gzip' });
    t.after(() => exporter.shutdown());
    assert.equal((await exportOnce(exporter, spans)).result.code, ExportResultCode.SUCCESS);
    assert.equal(receiver.requests[0]!.headers['content-encoding'], 'gzip');
    assert.ok(receiver.requests[0]!.body!.equals(Buffer.from(new OtlpTraceEncoder().encode(spans))));
  });

  it('keeps the connection alive between exports', async (t) => {
    const server = await startServer((_req, res) => res.writeHead(200).end());
    t.after(() => server.stop());
    const exporter = new OtlpHttpProtobufExporter({ url: `${server.url}/v1/traces` });
    t.after(() => exporter.shutdown());
    for (let i = 0; i < 3; i++)
      assert.equal((await exportOnce(exporter, sampleSpans())).result.code, ExportResultCode.SUCCESS);
    assert.equal(server.requests, 3);
    assert.equal(server.connections, 1);
  });
});

describe('otlp http/protobuf: the lean exporter retries as upstream does', () => {
  it('429 with Retry-After: 1 is retried after a second, within the budget', async (t) => {
    const server = await startServer((_req, res, n) =>
      n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end(),
    );
    t.after(() => server.stop());
    const exporter = new OtlpHttpProtobufExporter({ url: `${server.url}/v1/traces`, timeoutMillis: 3000 });
    t.after(() => exporter.shutdown());
    const { result, ms } = await exportOnce(exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(server.requests, 2);
    assert.ok(ms >= 950 && ms < 2500, `took ${Math.round(ms)} ms`);
  });

  it('a 503 then 200 succeeds after a backoff; a Retry-After beyond the budget is not waited for', async (t) => {
    const receiver = await startOtlpReceiver({ script: (n) => (n === 1 ? 'unavailable' : undefined) });
    t.after(() => receiver.stop());
    const exporter = new OtlpHttpProtobufExporter({ url: `${receiver.url}/v1/traces`, timeoutMillis: 3000 });
    t.after(() => exporter.shutdown());
    const { result, ms } = await exportOnce(exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(receiver.requests.length, 2);
    assert.ok(ms >= 750, `retried after ${Math.round(ms)} ms (backoff 1 s ± 20%)`);

    const busy = await startServer((_req, res) => res.writeHead(503, { 'retry-after': '30' }).end());
    t.after(() => busy.stop());
    const impatient = new OtlpHttpProtobufExporter({ url: `${busy.url}/v1/traces`, timeoutMillis: 2000 });
    t.after(() => impatient.shutdown());
    const second = await exportOnce(impatient, sampleSpans());
    assert.equal(second.result.code, ExportResultCode.FAILED);
    assert.equal(busy.requests, 1);
    assert.ok(second.ms < 1000);
    assert.ok(second.result.error instanceof OtlpHttpExportError);
    assert.equal((second.result.error as OtlpHttpExportError).code, 503);
  });

  it('a 400 is final: one request, FAILED with the status', async (t) => {
    const server = await startServer((_req, res) =>
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad spans'),
    );
    t.after(() => server.stop());
    const exporter = new OtlpHttpProtobufExporter({ url: `${server.url}/v1/traces`, timeoutMillis: 3000 });
    t.after(() => exporter.shutdown());
    const { result } = await exportOnce(exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal(server.requests, 1);
    assert.equal((result.error as OtlpHttpExportError).code, 400);
    assert.equal((result.error as OtlpHttpExportError).data, 'bad spans');
  });
});

describe('otlp http/protobuf: the lean exporter as a SpanExporter', () => {
  it('shutdown waits for the export in flight, then refuses new ones with FAILED', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'slow', delayMs: 150 });
    t.after(() => receiver.stop());
    const exporter = new OtlpHttpProtobufExporter({ url: `${receiver.url}/v1/traces` });
    let first: number | undefined;
    exporter.export(sampleSpans(), (r) => (first = r.code));
    await exporter.shutdown();
    assert.equal(first, ExportResultCode.SUCCESS, 'settled before shutdown resolved');
    const { result } = await exportOnce(exporter, sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(result.error!.message, /shut down/);
    assert.equal(receiver.requests.length, 1);
  });

  it('forceFlush waits for every export in flight; a callback that throws reaches diag, not the app', async (t) => {
    const receiver = await startOtlpReceiver({ mode: 'slow', delayMs: 50 });
    t.after(() => receiver.stop());
    const errors: string[] = [];
    diag.setLogger(logger({ error: (m) => errors.push(m) }), DiagLogLevel.ERROR);
    t.after(() => diag.disable());
    const exporter = new OtlpHttpProtobufExporter({ url: `${receiver.url}/v1/traces` });
    t.after(() => exporter.shutdown());
    let settled = 0;
    for (let i = 0; i < 3; i++) exporter.export(sampleSpans(), () => settled++);
    exporter.export(sampleSpans(), () => {
      throw new Error('callback bug');
    });
    await exporter.forceFlush();
    assert.equal(settled, 3);
    assert.equal(receiver.spanCount, 8);
    assert.ok(
      errors.some((m) => m.includes('callback threw')),
      errors.join('\n'),
    );
  });

  it("warns when the collector's answer reports rejected spans (partial success)", async (t) => {
    // ExportTraceServiceResponse { partial_success { rejected_spans: 3, error_message: "bad" } }
    const answer = Buffer.from([0x0a, 0x07, 0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);
    const server = await startServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(answer),
    );
    t.after(() => server.stop());
    const warnings: string[] = [];
    diag.setLogger(logger({ warn: (m) => warnings.push(m) }), DiagLogLevel.WARN);
    t.after(() => diag.disable());
    const exporter = new OtlpHttpProtobufExporter({ url: `${server.url}/v1/traces` });
    t.after(() => exporter.shutdown());
    assert.equal((await exportOnce(exporter, sampleSpans())).result.code, ExportResultCode.SUCCESS);
    assert.ok(
      warnings.some((m) => m.includes('rejected 3 spans: bad')),
      warnings.join('\n'),
    );
  });

  it('a batch of several resources goes out as one request', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const scope = { name: 's' };
    const spans = [
      makeSpan({ resource: resourceFromAttributes({ 'service.name': 'a' }), scope }),
      makeSpan({ resource: resourceFromAttributes({ 'service.name': 'b' }), scope }),
    ];
    const exporter = new OtlpHttpProtobufExporter({ url: `${receiver.url}/v1/traces` });
    t.after(() => exporter.shutdown());
    assert.equal((await exportOnce(exporter, spans)).result.code, ExportResultCode.SUCCESS);
    assert.deepEqual(
      receiver.spans.map((s) => s.serviceName),
      ['a', 'b'],
    );
  });
});

function logger(over: Partial<Record<keyof DiagLogger, (message: string) => void>>): DiagLogger {
  const none = (): void => {};
  return { error: none, warn: none, info: none, debug: none, verbose: none, ...over };
}
