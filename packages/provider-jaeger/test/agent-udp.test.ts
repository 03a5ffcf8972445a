/*
 * UDP agent export: datagrams received on a real socket and decoded, compact Thrift by the
 * test's own decoder (6831-style ports), binary Thrift by thriftrw + jaeger.thrift (6832).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { agentProtocolForPort, JaegerAgentExporter } from '../src/index';
import { decodeCompactEmitBatch } from './compact-decoder';
import type { DecodedBatch, DecodedSpan, DecodedTag } from './compact-decoder';
import { decodeBinaryEmitBatch } from './thriftrw-decoder';
import { exportSpans, ExportResultCode, i64, makeTracer, udpReceiver, useSampleSpans } from './helpers';

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
function assertSampleBatch(batch: DecodedBatch, spans: ReadableSpan[]): void {
  assert.equal(batch.process.serviceName, 'clients-api');
  const processTags = tagsOf(batch.process.tags);
  assert.deepEqual(processTags.get('service.version'), { vType: STRING, value: '4.5.6' });
  assert.deepEqual(processTags.get('deployment.environment.name'), { vType: STRING, value: 'staging' });
  assert.deepEqual(processTags.get('process.pid'), { vType: DOUBLE, value: 4242 });
  assert.equal(processTags.has('service.name'), false, 'service.name is the serviceName, not a tag');

  assert.deepEqual(batch.spans.map((s) => s.operationName).sort(), ['GET /clients/:id', 'SELECT clients', 'recompute']);
  const byName = (name: string) => ({ decoded: batch.spans.find((s) => s.operationName === name)!, span: spans.find((s) => s.name === name)! });

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
    { refType: 1, traceIdLow: server.decoded.traceIdLow, traceIdHigh: server.decoded.traceIdHigh, spanId: server.decoded.spanId },
  ]);
}

describe('JaegerAgentExporter over UDP', () => {
  const { spans, diagLog } = useSampleSpans();

  before(() => {
    assert.equal(spans.length, 3);
    assert.equal(spans.find((s) => s.name === 'GET /clients/:id')?.kind, SpanKind.SERVER);
  });

  it('picks compact Thrift for every port but 6832', () => {
    assert.equal(agentProtocolForPort(6831), 'compact');
    assert.equal(agentProtocolForPort(16831), 'compact');
    assert.equal(agentProtocolForPort(6832), 'binary');
    assert.equal(new JaegerAgentExporter().protocol, 'compact');
    assert.equal(new JaegerAgentExporter({ port: 6832 }).protocol, 'binary');
  });

  it('(a) sends a compact-Thrift emitBatch that an independent decoder reads back', async (t) => {
    const agent = await udpReceiver();
    const exporter = new JaegerAgentExporter({ host: '127.0.0.1', port: agent.port });
    t.after(async () => {
      await exporter.shutdown();
      await agent.close();
    });
    assert.equal(exporter.protocol, 'compact');

    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    const [datagram] = await agent.waitFor(1);
    assert.equal(datagram![0], 0x82, 'compact protocol id');
    const { message, batch } = decodeCompactEmitBatch(datagram!);
    assert.equal(message.name, 'emitBatch');
    assert.equal(message.type, 4, 'ONEWAY');
    assertSampleBatch(batch, spans);
    assert.equal(exporter.droppedSpans, 0);
  });

  it('(b) sends binary Thrift to a 6832-style port, read back by thriftrw with jaeger.thrift', async (t) => {
    const agent = await udpReceiver();
    const exporter = new JaegerAgentExporter({ host: '127.0.0.1', port: agent.port, protocol: 'binary' });
    t.after(async () => {
      await exporter.shutdown();
      await agent.close();
    });

    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    const [datagram] = await agent.waitFor(1);
    assert.equal(datagram!.readUInt32BE(0), 0x80010004, 'strict binary header, ONEWAY');
    const decoded = decodeBinaryEmitBatch(datagram!);
    assert.equal(decoded.name, 'emitBatch');
    assert.equal(decoded.type, 'ONEWAY');
    assertSampleBatch(decoded.batch, spans);
  });

  it('carries the same batch in both protocols', async (t) => {
    const compactAgent = await udpReceiver();
    const binaryAgent = await udpReceiver();
    const compact = new JaegerAgentExporter({ port: compactAgent.port, protocol: 'compact' });
    const binary = new JaegerAgentExporter({ port: binaryAgent.port, protocol: 'binary' });
    t.after(async () => {
      await Promise.all([compact.shutdown(), binary.shutdown()]);
      await Promise.all([compactAgent.close(), binaryAgent.close()]);
    });
    await exportSpans(compact, spans);
    await exportSpans(binary, spans);
    const [c] = await compactAgent.waitFor(1);
    const [b] = await binaryAgent.waitFor(1);
    assert.ok(c!.length < b!.length, `compact (${c!.length} B) is smaller than binary (${b!.length} B)`);
    assert.deepEqual(decodeCompactEmitBatch(c!).batch, decodeBinaryEmitBatch(b!).batch);
  });

  it('splits a large export into datagrams of at most 65000 bytes, and drops and counts a span too large for one', async (t) => {
    const agent = await udpReceiver();
    const exporter = new JaegerAgentExporter({ port: agent.port });
    t.after(async () => {
      await exporter.shutdown();
      await agent.close();
    });
    const big = makeTracer({ 'service.name': 'bulk' });
    t.after(() => big.shutdown());
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 150; i++) big.tracer.startSpan(`op-${i}`, { attributes: { filler, i } }).end();
    big.tracer.startSpan('huge', { attributes: { blob: 'y'.repeat(70_000) } }).end();
    const all = big.spans();
    diagLog.clear();

    const result = await exportSpans(exporter, all);
    assert.equal(result.code, ExportResultCode.SUCCESS, 'the spans that fit were delivered');
    await new Promise((r) => setTimeout(r, 100));
    const datagrams = agent.datagrams;
    assert.ok(datagrams.length >= 3, `150 KB of spans need several datagrams, got ${datagrams.length}`);
    const names: string[] = [];
    for (const d of datagrams) {
      assert.ok(d.length <= 65000, `datagram of ${d.length} bytes`);
      const { batch } = decodeCompactEmitBatch(d);
      assert.equal(batch.process.serviceName, 'bulk');
      names.push(...batch.spans.map((s) => s.operationName));
    }
    assert.equal(names.length, 150);
    assert.deepEqual(new Set(names), new Set(Array.from({ length: 150 }, (_, i) => `op-${i}`)));
    assert.equal(exporter.droppedSpans, 1);
    const warnings = diagLog.at('warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /span "huge" needs a \d+-byte datagram, more than the 65000 bytes/);

    await exportSpans(exporter, all.filter((s) => s.name === 'huge'));
    assert.equal(exporter.droppedSpans, 2, 'counted again');
    assert.equal(diagLog.at('warn').length, 1, 'but not logged again');
  });

  it('sends one Process per resource', async (t) => {
    const agent = await udpReceiver();
    const exporter = new JaegerAgentExporter({ port: agent.port });
    const other = makeTracer({ 'service.name': 'billing' });
    t.after(async () => {
      await exporter.shutdown();
      await agent.close();
      await other.shutdown();
    });
    other.tracer.startSpan('charge').end();
    await exportSpans(exporter, [...spans, ...other.spans()]);
    const datagrams = await agent.waitFor(2);
    const services = datagrams.map((d) => decodeCompactEmitBatch(d).batch).map((b) => [b.process.serviceName, b.spans.length]);
    assert.deepEqual(services.sort(), [['billing', 1], ['clients-api', 3]]);
  });

  it('names the service from tracing.service_name when the resource has only the SDK placeholder', async (t) => {
    const agent = await udpReceiver();
    const exporter = new JaegerAgentExporter({ port: agent.port, serviceName: 'from-config' });
    const anonymous = makeTracer({ 'service.name': 'unknown_service:node' });
    t.after(async () => {
      await exporter.shutdown();
      await agent.close();
      await anonymous.shutdown();
    });
    anonymous.tracer.startSpan('work').end();
    await exportSpans(exporter, anonymous.spans());
    const [d] = await agent.waitFor(1);
    assert.equal(decodeCompactEmitBatch(d!).batch.process.serviceName, 'from-config');
  });
});
