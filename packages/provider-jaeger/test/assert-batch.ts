/*
 * What the sample spans (helpers.ts sampleSpans) must look like once decoded, whichever
 * protocol and path carried them: ids, parent, flags, times, tags, logs, references, and the
 * resource as the process (service name and tags, never repeated on the spans).
 */
import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { DecodedBatch, DecodedSpan, DecodedTag } from './jaeger-thrift';
import { i64 } from './helpers';

const STRING = 0;
const DOUBLE = 1;
const BOOL = 2;

function tagsOf(tags: DecodedTag[]): Map<string, { vType: number; value: unknown }> {
  const keys = tags.map((t) => t.key);
  assert.equal(new Set(keys).size, keys.length, `duplicate tags in ${JSON.stringify(keys)}`);
  return new Map(tags.map((t) => [t.key, { vType: t.vType, value: t.value }]));
}

function micros(hr: [number, number]): bigint {
  return BigInt(hr[0]) * 1_000_000n + BigInt(Math.round(hr[1] / 1000));
}

function assertCloseMicros(actual: bigint, expected: bigint, what: string): void {
  const diff = actual > expected ? actual - expected : expected - actual;
  assert.ok(diff <= 1n, `${what}: ${actual} vs ${expected}`);
}

function assertIds(decoded: DecodedSpan, span: ReadableSpan): void {
  const { traceId, spanId } = span.spanContext();
  assert.equal(decoded.traceIdHigh, i64(traceId.slice(0, 16)), `traceIdHigh of ${span.name}`);
  assert.equal(decoded.traceIdLow, i64(traceId.slice(16)), `traceIdLow of ${span.name}`);
  assert.equal(decoded.spanId, i64(spanId), `spanId of ${span.name}`);
  const parent = span.parentSpanContext?.spanId;
  assert.equal(decoded.parentSpanId, parent ? i64(parent) : 0n, `parentSpanId of ${span.name}`);
  assert.equal(decoded.flags, 1, `flags of ${span.name}`);
  assertCloseMicros(decoded.startTime, micros(span.startTime), `startTime of ${span.name}`);
  assertCloseMicros(decoded.duration, micros(span.duration), `duration of ${span.name}`);
}

/** Everything the sample spans must carry, whichever protocol carried them. */
export function assertSampleBatch(batch: DecodedBatch, spans: ReadableSpan[]): void {
  assert.equal(batch.process.serviceName, 'clients-api');
  const processTags = tagsOf(batch.process.tags);
  assert.deepEqual(processTags.get('service.version'), { vType: STRING, value: '4.5.6' });
  assert.deepEqual(processTags.get('deployment.environment.name'), { vType: STRING, value: 'staging' });
  assert.deepEqual(processTags.get('process.pid'), { vType: DOUBLE, value: 4242 });
  assert.equal(processTags.has('service.name'), false, 'service.name is the serviceName, not a tag');

  assert.deepEqual(batch.spans.map((s) => s.operationName).sort(), ['GET /clients/:id', 'SELECT clients', 'recompute']);
  const byName = (name: string) => ({
    decoded: batch.spans.find((s) => s.operationName === name)!,
    span: spans.find((s) => s.name === name)!,
  });

  const server = byName('GET /clients/:id');
  assertIds(server.decoded, server.span);
  const st = tagsOf(server.decoded.tags);
  assert.deepEqual(st.get('span.kind'), { vType: STRING, value: 'server' });
  assert.deepEqual(st.get('http.route'), { vType: STRING, value: '/clients/:id' });
  assert.deepEqual(st.get('http.request.method'), { vType: STRING, value: 'GET' });
  assert.deepEqual(st.get('http.response.status_code'), { vType: DOUBLE, value: 500 });
  assert.deepEqual(st.get('tp.cached'), { vType: BOOL, value: false });
  assert.deepEqual(st.get('otel.status_code'), { vType: STRING, value: 'ERROR' });
  assert.deepEqual(st.get('otel.status_description'), { vType: STRING, value: 'handler failed' });
  assert.deepEqual(st.get('error'), { vType: BOOL, value: true });
  assert.deepEqual(st.get('otel.library.name'), { vType: STRING, value: 'tracepack-test' });
  assert.deepEqual(st.get('otel.library.version'), { vType: STRING, value: '1.2.3' });
  assert.equal(st.has('service.version'), false, 'resource attributes live on the process only');
  assert.equal(server.decoded.logs.length, 1);
  const log = server.decoded.logs[0]!;
  assertCloseMicros(log.timestamp, micros(server.span.events[0]!.time), 'log timestamp');
  const fields = tagsOf(log.fields);
  assert.deepEqual(fields.get('event'), { vType: STRING, value: 'exception' });
  assert.deepEqual(fields.get('exception.type'), { vType: STRING, value: 'TypeError' });
  assert.deepEqual(fields.get('exception.message'), { vType: STRING, value: 'boom' });
  assert.deepEqual(server.decoded.references, []);

  const client = byName('SELECT clients');
  assertIds(client.decoded, client.span);
  assert.equal(client.decoded.parentSpanId, server.decoded.spanId, 'child of the server span');
  assert.equal(client.decoded.traceIdLow, server.decoded.traceIdLow);
  const ct = tagsOf(client.decoded.tags);
  assert.deepEqual(ct.get('span.kind'), { vType: STRING, value: 'client' });
  assert.deepEqual(ct.get('otel.status_code'), { vType: STRING, value: 'OK' });
  assert.equal(ct.has('error'), false);
  assert.deepEqual(ct.get('db.system.name'), { vType: STRING, value: 'postgresql' });

  const linked = byName('recompute');
  assertIds(linked.decoded, linked.span);
  const lt = tagsOf(linked.decoded.tags);
  assert.equal(lt.has('span.kind'), false, 'INTERNAL spans carry no span.kind');
  assert.equal(lt.has('otel.status_code'), false, 'UNSET status carries no otel.status_code');
  assert.deepEqual(lt.get('tp.tags'), { vType: STRING, value: 'a,b' });
  assert.deepEqual(linked.decoded.references, [
    {
      refType: 1,
      traceIdLow: server.decoded.traceIdLow,
      traceIdHigh: server.decoded.traceIdHigh,
      spanId: server.decoded.spanId,
    },
  ]);
}
