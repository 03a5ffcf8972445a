/*
 * (e) Dead targets and the lifecycle: exports to nobody fail with FAILED, nothing throws, one
 * diag line per failure streak (with the dropped count); shutdown is idempotent and closes
 * the socket; exports after shutdown fail.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JaegerAgentExporter, JaegerCollectorExporter } from '../src/index';
import { decodeCompactEmitBatch } from './compact-decoder';
import {
  deadHttpUrl,
  deadUdpPort,
  exportSpans,
  ExportResultCode,
  httpServer,
  udpReceiver,
  useSampleSpans,
} from './helpers';

/** Records the sockets that connect from now on (a pass-through wrapper, not a mock). */
function watchUdpSockets(): { sockets: dgram.Socket[]; closed: Set<dgram.Socket>; restore(): void } {
  const original = dgram.Socket.prototype.connect;
  const sockets: dgram.Socket[] = [];
  const closed = new Set<dgram.Socket>();
  dgram.Socket.prototype.connect = function (this: dgram.Socket, ...args: unknown[]) {
    sockets.push(this);
    this.once('close', () => closed.add(this));
    return (original as (...a: unknown[]) => void).apply(this, args);
  } as typeof original;
  return { sockets, closed, restore: () => void (dgram.Socket.prototype.connect = original) };
}

describe('failures and lifecycle', () => {
  const { spans, diagLog } = useSampleSpans();

  it('(e) UDP agent down: every export FAILED (ECONNREFUSED), one diag error with the count, then one line on recovery', async (t) => {
    const port = await deadUdpPort();
    const exporter = new JaegerAgentExporter({ host: '127.0.0.1', port });
    t.after(() => exporter.shutdown());
    diagLog.clear();

    for (let i = 0; i < 3; i++) {
      const result = await exportSpans(exporter, spans);
      assert.equal(result.code, ExportResultCode.FAILED, `export ${i + 1}`);
      assert.match(String(result.error), /ECONNREFUSED/);
    }
    assert.equal(exporter.droppedSpans, 9);
    const errors = diagLog.at('error');
    assert.equal(errors.length, 1, JSON.stringify(diagLog.entries));
    assert.match(
      errors[0]!.message,
      new RegExp(`udp://127\\.0\\.0\\.1:${port} \\(compact Thrift\\) \\(ECONNREFUSED\\); 3 span\\(s\\) dropped`),
    );
    assert.equal(diagLog.at('warn').length, 0);

    // The agent comes (back) up on that port: the streak ends with one summary line.
    const agent = await udpReceiver().then(async (probe) => {
      await probe.close();
      return import('node:dgram').then(({ default: dgram }) => {
        const s = dgram.createSocket('udp4');
        const got: Buffer[] = [];
        s.on('message', (m) => got.push(m));
        return new Promise<{ got: Buffer[]; close: () => void }>((resolve) =>
          s.bind(port, '127.0.0.1', () => resolve({ got, close: () => s.close() })),
        );
      });
    });
    t.after(() => agent.close());
    const ok = await exportSpans(exporter, spans);
    assert.equal(ok.code, ExportResultCode.SUCCESS);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(decodeCompactEmitBatch(agent.got[0]!).batch.spans.length, 3);
    const infos = diagLog.at('info');
    assert.equal(infos.length, 1);
    assert.match(infos[0]!.message, /works again; 9 span\(s\) were dropped while it failed/);
    assert.equal(diagLog.at('error').length, 1, 'still one error line');
  });

  it('(e) unresolvable agent host: FAILED, one diag error, nothing thrown', async (t) => {
    const exporter = new JaegerAgentExporter({ host: 'no-such-host.invalid', port: 6831 });
    t.after(() => exporter.shutdown());
    diagLog.clear();
    for (let i = 0; i < 2; i++) assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.FAILED);
    assert.equal(diagLog.at('error').length, 1);
    assert.match(diagLog.at('error')[0]!.message, /ENOTFOUND|EAI_AGAIN/);
  });

  it('(e) collector down: export FAILED (ECONNREFUSED), one diag error with the count', async (t) => {
    const exporter = new JaegerCollectorExporter({ endpoint: `${await deadHttpUrl()}/api/traces` });
    t.after(() => exporter.shutdown());
    diagLog.clear();
    for (let i = 0; i < 3; i++) {
      const result = await exportSpans(exporter, spans);
      assert.equal(result.code, ExportResultCode.FAILED);
    }
    assert.equal(exporter.droppedSpans, 9);
    const errors = diagLog.at('error');
    assert.equal(errors.length, 1, JSON.stringify(diagLog.entries));
    assert.match(errors[0]!.message, /\(ECONNREFUSED\); 3 span\(s\) dropped/);
  });

  it('collector that never answers: FAILED after timeoutMs', async (t) => {
    const silent = await httpServer(() => {
      /* never responds */
    });
    const exporter = new JaegerCollectorExporter({
      endpoint: `${silent.url}/api/traces`,
      timeoutMs: 200,
      flushTimeoutMs: 100,
    });
    t.after(async () => {
      await exporter.shutdown();
      await silent.close();
    });
    const started = Date.now();
    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(Date.now() - started < 2000);
    assert.match(String(result.error), /no answer within 200 ms/);
  });

  it('UDP shutdown closes the socket, is idempotent, and later exports are FAILED without throwing', async (t) => {
    const agent = await udpReceiver();
    t.after(() => agent.close());
    const watch = watchUdpSockets();
    t.after(() => watch.restore());
    const exporter = new JaegerAgentExporter({ port: agent.port });
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
    assert.equal(watch.sockets.length, 1, 'one socket for all exports');
    const first = exporter.shutdown();
    assert.equal(exporter.shutdown(), first, 'the same promise');
    await first;
    await exporter.shutdown();
    await new Promise((r) => setImmediate(r));
    assert.ok(watch.closed.has(watch.sockets[0]!), 'socket closed');
    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /shut down/);
    await exporter.forceFlush();
  });

  it('collector shutdown is idempotent, and later exports are FAILED without throwing', async () => {
    const exporter = new JaegerCollectorExporter({ endpoint: 'http://127.0.0.1:9/api/traces' });
    await Promise.all([exporter.shutdown(), exporter.shutdown()]);
    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /shut down/);
  });

  it('works under the SDK BatchSpanProcessor: spans end up at the agent, shutdown flushes', async (t) => {
    const agent = await udpReceiver();
    t.after(() => agent.close());
    const exporter = new JaegerAgentExporter({ port: agent.port });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'batched' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: exporter, scheduledDelayMillis: 60_000 })],
    });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 5; i++) tracer.startSpan(`job-${i}`).end();
    await provider.shutdown(); // flushes the batch, then shuts the exporter down
    const [d] = await agent.waitFor(1);
    const { batch } = decodeCompactEmitBatch(d!);
    assert.equal(batch.process.serviceName, 'batched');
    assert.equal(batch.spans.length, 5);
  });
});
