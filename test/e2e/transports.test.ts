// Every other way out of the process, each read back through the backend's own query API:
// Jaeger's collector (Thrift over HTTP), OTLP http/protobuf and OTLP grpc into Jaeger, and
// the Zipkin provider into Zipkin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  closeRequestAgent,
  newIds,
  parentOf,
  request,
  startJaegerAndZipkin,
  startTracedService,
  tagOf,
  tempDir,
  traceparent,
  waitForJaegerTraceId,
  writeConfigFile,
  type ChildService,
} from './helpers';
import {
  e2eSkip,
  jaegerServiceOf,
  normalizeTraceId,
  waitForZipkinTrace,
  type JaegerServer,
  type ZipkinServer,
} from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

const routes = { http: { routes: ['/items/:id'] } };

describe('e2e: collector HTTP, OTLP and Zipkin', { skip }, () => {
  let jaeger: JaegerServer | undefined;
  let zipkin: ZipkinServer | undefined;
  let dir: string;
  let removeDir: () => Promise<void>;
  const services: ChildService[] = [];

  before(async () => {
    ({ dir, remove: removeDir } = await tempDir('tracepack-e2e-transports-'));
    ({ jaeger, zipkin } = await startJaegerAndZipkin());
  });

  after(async () => {
    await Promise.all(services.map((s) => s.stop()));
    closeRequestAgent();
    await Promise.all([jaeger?.stop(), zipkin?.stop()]);
    await removeDir?.();
  });

  /** Starts the fixture with `tracing`, sends GET /items/77 under a known traceparent. */
  async function oneRequest(
    name: string,
    tracing: Record<string, unknown>,
  ): Promise<{ traceId: string; spanId: string; service: ChildService }> {
    const file = await writeConfigFile(join(dir, `${name}.yml`), {
      service_name: name,
      instrumentations: routes,
      ...tracing,
    });
    const service = await startTracedService(file);
    services.push(service);
    const ids = newIds();
    const res = await request(`${service.url}/items/77`, { headers: { traceparent: traceparent(ids) } });
    assert.equal(res.status, 200, res.body);
    return { ...ids, service };
  }

  async function assertInJaeger(
    name: string,
    ids: { traceId: string; spanId: string },
    service: ChildService,
  ): Promise<void> {
    assert.ok(jaeger);
    const trace = await waitForJaegerTraceId(jaeger.queryUrl, ids.traceId).catch((err: Error) => {
      throw new Error(`${err.message}\nservice stderr:\n${service.stderr.join('\n')}`);
    });
    const span = trace.spans.find((s) => s.operationName === 'GET /items/:id');
    assert.ok(span, JSON.stringify(trace.spans.map((s) => s.operationName)));
    assert.equal(jaegerServiceOf(trace, span), name);
    assert.equal(parentOf(span), ids.spanId);
    assert.equal(tagOf(span, 'span.kind'), 'server');
    assert.equal(Number(tagOf(span, 'http.response.status_code')), 200);
    assert.equal(tagOf(span, 'http.request.method'), 'GET');
  }

  test('provider jaeger with collector_endpoint (Thrift over HTTP) reaches Jaeger', async () => {
    assert.ok(jaeger);
    const name = 'e2e-collector';
    const { service, ...ids } = await oneRequest(name, {
      provider: 'jaeger',
      providers: { jaeger: { collector_endpoint: jaeger.collectorHttpUrl } },
    });
    await assertInJaeger(name, ids, service);
    // The resource travels once per Batch, as the Thrift process's tags, and not on the span.
    const trace = await waitForJaegerTraceId(jaeger.queryUrl, ids.traceId);
    const span = trace.spans.find((s) => s.operationName === 'GET /items/:id')!;
    const processTags = new Map(trace.processes[span.processID]!.tags.map((tag) => [tag.key, tag.value]));
    assert.equal(processTags.get('telemetry.sdk.language'), 'nodejs');
    assert.equal(tagOf(span, 'telemetry.sdk.language'), undefined);
  });

  test('provider otlp, protocol http/protobuf, reaches Jaeger', async () => {
    assert.ok(jaeger);
    const name = 'e2e-otlp-http';
    const base = jaeger.otlpHttpUrl.replace(/\/v1\/traces$/, '');
    const { service, ...ids } = await oneRequest(name, {
      provider: 'otlp',
      providers: { otlp: { server_url: base, protocol: 'http/protobuf' } },
    });
    await assertInJaeger(name, ids, service);
  });

  test('provider otlp, protocol grpc, reaches Jaeger', async () => {
    assert.ok(jaeger);
    const name = 'e2e-otlp-grpc';
    const { service, ...ids } = await oneRequest(name, {
      provider: 'otlp',
      providers: { otlp: { server_url: jaeger.otlpGrpcUrl, protocol: 'grpc', insecure: true } },
    });
    await assertInJaeger(name, ids, service);
  });

  test('provider zipkin reaches Zipkin', async () => {
    assert.ok(zipkin);
    const name = 'e2e-zipkin';
    const { service, ...ids } = await oneRequest(name, {
      provider: 'zipkin',
      providers: { zipkin: { server_url: zipkin.spansUrl } },
    });
    const trace = await waitForZipkinTrace(
      zipkin.queryUrl,
      name,
      (t) => t.some((s) => normalizeTraceId(s.traceId) === normalizeTraceId(ids.traceId)),
      15_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nservice stderr:\n${service.stderr.join('\n')}`);
    });
    const span = trace.find((s) => s.kind === 'SERVER');
    assert.ok(span, JSON.stringify(trace));
    assert.equal(span.name?.toLowerCase(), 'get /items/:id'); // Zipkin stores names in lower case
    assert.equal(span.localEndpoint?.serviceName, name);
    assert.equal(span.parentId, ids.spanId);
    assert.equal(span.tags?.['http.response.status_code'], '200');
    assert.equal(span.tags?.['http.request.method'], 'GET');
  });
});
