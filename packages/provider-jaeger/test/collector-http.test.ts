/*
 * (c) collector_endpoint: binary Thrift Batch POSTed to a real node:http server on loopback, and
 * decoded from exactly the bytes it received by the tests' own binary decoder.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { JaegerCollectorExporter, JaegerErrorCode, TracepackJaegerError } from '../src/index';
import { assertSampleBatch } from './assert-batch';
import { decodeBinaryBatch } from './binary-decoder';
import { exportSpans, ExportResultCode, httpServer, makeTracer, useSampleSpans, waitUntil } from './helpers';

describe('JaegerCollectorExporter over HTTP', () => {
  const { spans, diagLog } = useSampleSpans();

  it('(c) POSTs a binary Thrift Batch to the collector endpoint', async (t) => {
    const collector = await httpServer((_req, res) => {
      res.statusCode = 202;
      res.end();
    });
    const exporter = new JaegerCollectorExporter({ endpoint: `${collector.url}/api/traces` });
    t.after(async () => {
      await exporter.shutdown();
      await collector.close();
    });
    diagLog.clear();

    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assert.equal(collector.requests.length, 1);
    const req = collector.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/traces');
    assert.equal(req.headers['content-type'], 'application/x-thrift');
    assert.equal(req.headers['content-length'], String(req.body.length));
    assert.equal(req.headers.authorization, undefined);

    // ids, parent, flags, times, tags, logs, links, and the resource as process tags only
    assertSampleBatch(decodeBinaryBatch(req.body), spans);
    assert.equal(exporter.droppedSpans, 0);
    assert.equal(diagLog.at('error').length, 0);
  });

  it('sends user:password from the endpoint URL as basic auth and keeps the query, and never logs either', async (t) => {
    let status = 202;
    const collector = await httpServer((_req, res) => {
      res.statusCode = status;
      res.end(status === 202 ? '' : 'collector says no');
    });
    const exporter = new JaegerCollectorExporter({
      endpoint: `http://tp-user:s3cr%40t@127.0.0.1:${collector.port}/api/traces?token=abc#frag`,
    });
    t.after(async () => {
      await exporter.shutdown();
      await collector.close();
    });
    assert.equal(
      exporter.endpoint,
      `http://127.0.0.1:${collector.port}/api/traces`,
      'the public endpoint is safe to print',
    );
    diagLog.clear();

    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
    assert.equal(
      collector.requests[0]!.headers.authorization,
      `Basic ${Buffer.from('tp-user:s3cr@t').toString('base64')}`,
    );
    assert.equal(collector.requests[0]!.url, '/api/traces?token=abc');

    status = 503;
    const failed = await exportSpans(exporter, spans);
    assert.equal(failed.code, ExportResultCode.FAILED, 'an HTTP 503 fails the export');
    assert.match(String(failed.error), /HTTP 503/);
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.FAILED);
    const errors = diagLog.at('error');
    assert.equal(errors.length, 1, 'one line per failure streak');
    assert.match(
      errors[0]!.message,
      /the Jaeger collector at http:\/\/127\.0\.0\.1:\d+\/api\/traces \(HTTP 503\); 3 span\(s\) dropped/,
    );
    assert.equal(exporter.droppedSpans, 6);

    status = 202;
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
    const infos = diagLog.at('info');
    assert.equal(infos.length, 1);
    assert.match(infos[0]!.message, /works again; 6 span\(s\) were dropped while it failed/);
    for (const entry of diagLog.entries) assert.doesNotMatch(entry.message, /s3cr|tp-user|token|abc|frag/);
    assert.doesNotMatch(String(failed.error), /s3cr|tp-user|token/);
  });

  it('runs exports one at a time, over one kept-alive connection that shutdown closes', async (t) => {
    let inFlight = 0;
    let maxInFlight = 0;
    const collector = await httpServer((_req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.statusCode = 202;
        res.end();
      }, 30);
    });
    t.after(() => collector.close());
    const exporter = new JaegerCollectorExporter({ endpoint: `${collector.url}/api/traces` });
    const one = (name: string) => spans.filter((s) => s.name === name);
    const results = await Promise.all([
      exportSpans(exporter, one('GET /clients/:id')),
      exportSpans(exporter, one('SELECT clients')),
      exportSpans(exporter, one('recompute')),
    ]);
    assert.deepEqual(
      results.map((r) => r.code),
      [ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.SUCCESS],
    );
    assert.equal(maxInFlight, 1, 'never two requests at once');
    assert.deepEqual(
      collector.requests.map((r) => decodeBinaryBatch(r.body).spans[0]!.operationName),
      ['GET /clients/:id', 'SELECT clients', 'recompute'],
      'in the order they were exported',
    );
    assert.deepEqual(collector.connections(), { accepted: 1, open: 1 }, 'one kept-alive connection');

    await exporter.shutdown();
    await waitUntil(() => collector.connections().open === 0, 2000, 'the connection to close');
    assert.equal(collector.connections().accepted, 1);
  });

  it('retries once on a new connection when the server dropped the kept-alive one', async (t) => {
    // A server that answers the first request of each connection and drops the connection at
    // the second one, unanswered: what a client meets when a server's idle timeout fires
    // just as it reuses the socket.
    const served = new Map<Socket, number>();
    let connections = 0;
    const server = http.createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      req.resume();
      req.on('end', () => {
        if (n === 1) {
          res.statusCode = 202;
          res.end();
        } else {
          req.socket.destroy();
        }
      });
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const exporter = new JaegerCollectorExporter({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/traces`,
    });
    t.after(() => exporter.shutdown());
    diagLog.clear();
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
    assert.equal(
      (await exportSpans(exporter, spans)).code,
      ExportResultCode.SUCCESS,
      'the dropped request was sent again',
    );
    assert.equal(connections, 2);
    assert.deepEqual([...served.values()], [2, 1], 'the second connection carried the retry');
    assert.equal(diagLog.at('error').length, 0);
  });

  it('sends one Batch per resource, each with its own process', async (t) => {
    const collector = await httpServer((_req, res) => {
      res.statusCode = 200;
      res.end();
    });
    const other = makeTracer({ 'service.name': 'billing', 'host.name': 'b1' });
    const anonymous = makeTracer({ 'service.name': 'unknown_service:node' });
    const exporter = new JaegerCollectorExporter({
      endpoint: `${collector.url}/api/traces`,
      serviceName: 'from-config',
    });
    t.after(async () => {
      await exporter.shutdown();
      await collector.close();
      await other.shutdown();
      await anonymous.shutdown();
    });
    other.tracer.startSpan('charge').end();
    anonymous.tracer.startSpan('work').end();

    const result = await exportSpans(exporter, [...spans, ...other.spans(), ...anonymous.spans()]);
    assert.equal(result.code, ExportResultCode.SUCCESS);
    const batches = collector.requests.map((r) => decodeBinaryBatch(r.body));
    assert.deepEqual(
      batches.map((b) => [b.process.serviceName, b.spans.map((s) => s.operationName).sort()]),
      [
        ['clients-api', ['GET /clients/:id', 'SELECT clients', 'recompute']],
        ['billing', ['charge']],
        ['from-config', ['work']],
      ],
    );
    assert.deepEqual(batches[1]!.process.tags, [{ key: 'host.name', vType: 0, value: 'b1' }]);
  });

  it('fails a response that never ends within timeoutMs, and counts every span of the export', async (t) => {
    const collector = await httpServer((_req, res) => {
      res.statusCode = 202;
      res.write('partial'); // headers and a first chunk, then nothing
    });
    const exporter = new JaegerCollectorExporter({ endpoint: `${collector.url}/api/traces`, timeoutMs: 200 });
    t.after(async () => {
      await exporter.shutdown();
      await collector.close();
    });
    diagLog.clear();
    const started = performance.now();
    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /no answer within 200 ms/);
    assert.ok(performance.now() - started < 1500);
    assert.equal(exporter.droppedSpans, 3);
    assert.match(diagLog.at('error')[0]!.message, /\(no answer within 200 ms\); 3 span\(s\) dropped/);
  });

  it('shutdown waits for the export in flight up to flushTimeoutMs, then fails it and closes its connection', async (t) => {
    const collector = await httpServer(() => {
      /* never answers */
    });
    t.after(() => collector.close());
    const exporter = new JaegerCollectorExporter({
      endpoint: `${collector.url}/api/traces`,
      timeoutMs: 60_000,
      flushTimeoutMs: 100,
    });
    const pending = exportSpans(exporter, spans);
    await waitUntil(() => collector.requests.length === 1, 2000, 'the request');
    const started = performance.now();
    await exporter.shutdown();
    assert.ok(performance.now() - started < 1000, 'shutdown is bounded by flushTimeoutMs');
    const result = await pending;
    assert.equal(result.code, ExportResultCode.FAILED);
    await waitUntil(() => collector.connections().open === 0, 2000, 'the connection to close');
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.FAILED, 'refused after shutdown');
  });

  it('throws at construction on an endpoint that is not an http(s) URL, without repeating it', () => {
    for (const endpoint of ['jaeger:14268/api/traces', 'ftp://u:pw-secret@jaeger/api/traces', '', 42]) {
      assert.throws(
        () => new JaegerCollectorExporter({ endpoint: endpoint as string }),
        (err: unknown) =>
          err instanceof TracepackJaegerError &&
          err.code === JaegerErrorCode.INVALID_URL &&
          /^@tracepack\/provider-jaeger: JaegerCollectorExporter endpoint: expects an http:\/\/ or https:\/\/ URL/.test(
            err.message,
          ) &&
          !err.message.includes('pw-secret'),
        String(endpoint),
      );
    }
  });
});
