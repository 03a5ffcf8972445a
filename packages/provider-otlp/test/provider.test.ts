import { SpanStatusCode } from '@opentelemetry/api';
import { startOtlpReceiver } from '@tracepack/testing';
import type { DecodedSpan, OtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createProvider } from '../src/index';
import { delay, dump, recordSampleTrace, resolveConfig, SERVICE, tracerProviderFor } from './helpers';
import type { SampleTrace } from './helpers';

type Protocol = 'http/protobuf' | 'http/json' | 'grpc';
const PROTOCOLS: Protocol[] = ['http/protobuf', 'http/json', 'grpc'];

let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver({ grpc: true });
});
after(() => receiver.stop());
beforeEach(() => receiver.reset());

function serverUrl(protocol: Protocol): string {
  return protocol === 'grpc' ? receiver.grpcUrl! : receiver.url;
}

/** Builds the provider from a `tracing:` block, sends the sample trace, flushes, shuts down. */
async function send(otlp: Record<string, unknown>): Promise<SampleTrace> {
  const setup = createProvider(resolveConfig({ provider: 'otlp', providers: { otlp } }));
  const provider = tracerProviderFor(setup);
  try {
    const ids = recordSampleTrace(provider);
    await provider.forceFlush();
    return ids;
  } finally {
    await provider.shutdown();
  }
}

function byName(spans: DecodedSpan[], name: string): DecodedSpan {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, `no span named ${name} among ${spans.map((x) => x.name).join(', ')}`);
  return s;
}

for (const protocol of PROTOCOLS) {
  describe(`otlp ${protocol}`, () => {
    it('exports the trace with ids, kinds, typed attributes, status, event and service name', async () => {
      const ids = await send({ protocol, server_url: serverUrl(protocol), insecure: protocol === 'grpc' });
      const spans = await receiver.waitForSpans(2);
      assert.equal(spans.length, 2);
      assert.deepEqual(
        receiver.requests.map((r) => r.contentType),
        receiver.requests.map(() =>
          protocol === 'http/json'
            ? 'application/json'
            : protocol === 'grpc'
              ? 'application/grpc'
              : 'application/x-protobuf',
        ),
      );
      if (protocol !== 'grpc') assert.ok(receiver.requests.every((r) => r.path === '/v1/traces'));

      const root = byName(spans, 'POST /login');
      assert.equal(root.transport, protocol);
      assert.equal(root.serviceName, SERVICE);
      assert.equal(root.resource['service.version'], '1.2.3');
      assert.deepEqual(root.scope, { name: 'tracepack-test', version: '0.0.1' });
      assert.equal(root.traceId, ids.traceId);
      assert.equal(root.spanId, ids.rootId);
      assert.equal(root.parentSpanId, undefined);
      assert.equal(root.kind, 'SERVER');
      assert.deepEqual(root.status, { code: SpanStatusCode.ERROR, message: 'Internal Server Error' });
      assert.deepEqual(root.attributes, {
        'http.request.method': 'POST',
        'url.path': '/login',
        'url.scheme': 'http',
        'http.route': '/login',
        'http.response.status_code': 500,
        'server.port': 8080,
        'tracepack.test.ratio': 0.25,
        'tracepack.test.flag': true,
        'tracepack.test.list': ['a', 'b'],
      });
      assert.deepEqual(root.attributeTypes, {
        'http.request.method': 'string',
        'url.path': 'string',
        'url.scheme': 'string',
        'http.route': 'string',
        'http.response.status_code': 'int',
        'server.port': 'int',
        'tracepack.test.ratio': 'double',
        'tracepack.test.flag': 'bool',
        'tracepack.test.list': 'array',
      });
      assert.ok(root.startTimeUnixNano > 1_600_000_000_000_000_000n, 'start time is in unix nanoseconds');
      assert.ok(root.endTimeUnixNano >= root.startTimeUnixNano);

      const child = byName(spans, 'bcrypt.compare');
      assert.equal(child.traceId, ids.traceId);
      assert.equal(child.spanId, ids.childId);
      assert.equal(child.parentSpanId, ids.rootId);
      assert.equal(child.kind, 'INTERNAL');
      assert.equal(child.serviceName, SERVICE);
      assert.deepEqual(child.attributes, { 'bcrypt.work_factor': 10 });
      assert.equal(child.attributeTypes['bcrypt.work_factor'], 'int');
      assert.deepEqual(child.status, { code: SpanStatusCode.UNSET, message: '' });
      assert.equal(child.events.length, 1);
      assert.equal(child.events[0]!.name, 'bcrypt.hashed');
      assert.deepEqual(child.events[0]!.attributes, { 'bcrypt.rounds': 1024 });
      assert.ok(child.events[0]!.timeUnixNano >= child.startTimeUnixNano);
      // (No check that the child ends before its parent: the SDK anchors start times to the millisecond.)
      assert.ok(child.startTimeUnixNano >= root.startTimeUnixNano);
    });

    it('sends authorization_header and headers with every export, and never in a span', async () => {
      await send({
        protocol,
        server_url: serverUrl(protocol),
        insecure: protocol === 'grpc',
        authorization_header: 'Bearer s3cret-T0KEN',
        headers: { 'x-tenant-key': 'tenant-k3y-42', 'X-Scope-OrgID': 'org-7' },
      });
      await receiver.waitForSpans(2);
      assert.ok(receiver.requests.length >= 1);
      for (const r of receiver.requests) {
        assert.equal(r.headers.authorization, 'Bearer s3cret-T0KEN');
        assert.equal(r.headers['x-tenant-key'], 'tenant-k3y-42');
        assert.equal(r.headers['x-scope-orgid'], 'org-7');
      }
      const decoded = dump(receiver.spans);
      for (const secret of ['s3cret', 'T0KEN', 'tenant-k3y-42', 'org-7', 'authorization', 'x-tenant-key']) {
        assert.ok(!decoded.includes(secret), `${secret} found in an exported span`);
      }
    });

    it('authorization_header wins over an Authorization entry in headers (one header, not two)', async () => {
      await send({
        protocol,
        server_url: serverUrl(protocol),
        insecure: protocol === 'grpc',
        authorization_header: 'Bearer from-authorization-header',
        headers: { Authorization: 'Basic from-headers' },
      });
      await receiver.waitForSpans(2);
      for (const r of receiver.requests) assert.equal(r.headers.authorization, 'Bearer from-authorization-header');
    });
  });
}

describe('otlp sampling_ratio', () => {
  it('0: no span is exported, no request is made', async () => {
    await send({ server_url: receiver.url, sampling: { sampling_ratio: 0 } });
    await delay(100);
    assert.equal(receiver.spanCount, 0);
    assert.equal(receiver.requests.length, 0);
  });

  it('1 (the default): every trace is exported', async () => {
    const setup = createProvider(
      resolveConfig({ provider: 'otlp', providers: { otlp: { server_url: receiver.url } } }),
    );
    const provider = tracerProviderFor(setup);
    for (let i = 0; i < 20; i++) recordSampleTrace(provider);
    await provider.forceFlush();
    await provider.shutdown();
    await receiver.waitForSpans(40);
    assert.equal(receiver.spanCount, 40);
    assert.equal(new Set(receiver.spans.map((s) => s.traceId)).size, 20);
  });
});
