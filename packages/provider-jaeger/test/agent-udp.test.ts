/*
 * UDP agent export: datagrams received on a real socket and decoded by the tests' own decoders
 * (written from the Thrift specs, checked against jaeger.thrift): compact Thrift for 6831-style
 * ports, binary Thrift for 6832.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { agentProtocolForPort, JaegerAgentExporter } from '../src/index';
import { assertSampleBatch } from './assert-batch';
import { decodeBinaryEmitBatch } from './binary-decoder';
import { decodeCompactEmitBatch } from './compact-decoder';
import { exportSpans, ExportResultCode, makeTracer, udpReceiver, useSampleSpans } from './helpers';

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

  it('(b) sends binary Thrift to a 6832-style port, read back by the binary decoder', async (t) => {
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
    assert.equal(decoded.message.name, 'emitBatch');
    assert.equal(decoded.message.type, 4, 'ONEWAY');
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

    await exportSpans(
      exporter,
      all.filter((s) => s.name === 'huge'),
    );
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
    const services = datagrams
      .map((d) => decodeCompactEmitBatch(d).batch)
      .map((b) => [b.process.serviceName, b.spans.length]);
    assert.deepEqual(services.sort(), [
      ['billing', 1],
      ['clients-api', 3],
    ]);
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
