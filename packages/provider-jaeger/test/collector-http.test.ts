/* (c) collector_endpoint: binary Thrift Batch POSTed to a real node:http server, decoded with thriftrw. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JaegerCollectorExporter } from '../src/index';
import { decodeBinaryBatch } from './thriftrw-decoder';
import { exportSpans, ExportResultCode, i64, useSampleSpans } from './helpers';
import { httpServer } from './helpers';

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

    const result = await exportSpans(exporter, spans);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assert.equal(collector.requests.length, 1);
    const req = collector.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/traces');
    assert.equal(req.headers['content-type'], 'application/x-thrift');

    const batch = decodeBinaryBatch(req.body);
    assert.equal(batch.process.serviceName, 'clients-api');
    assert.deepEqual(batch.spans.map((s) => s.operationName).sort(), ['GET /clients/:id', 'SELECT clients', 'recompute']);
    const server = batch.spans.find((s) => s.operationName === 'GET /clients/:id')!;
    const child = batch.spans.find((s) => s.operationName === 'SELECT clients')!;
    const original = spans.find((s) => s.name === 'GET /clients/:id')!;
    assert.equal(server.spanId, i64(original.spanContext().spanId));
    assert.equal(server.traceIdLow, i64(original.spanContext().traceId.slice(16)));
    assert.equal(server.traceIdHigh, i64(original.spanContext().traceId.slice(0, 16)));
    assert.equal(child.parentSpanId, server.spanId);
    const tags = new Map(server.tags.map((tag) => [tag.key, tag.value]));
    assert.equal(tags.get('span.kind'), 'server');
    assert.equal(tags.get('error'), true);
    assert.equal(tags.get('http.route'), '/clients/:id');
    assert.equal(server.logs[0]!.fields.find((f) => f.key === 'event')?.value, 'exception');
    // exporter-jaeger's own mapping on this path: resource attributes ride on every span.
    assert.equal(tags.get('service.version'), '4.5.6');
    assert.equal(diagLog.at('error').length, 0);
  });

  it('sends user:password from the endpoint URL as basic auth, and never logs them', async (t) => {
    let status = 202;
    const collector = await httpServer((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    const exporter = new JaegerCollectorExporter({ endpoint: `http://tp-user:s3cret@127.0.0.1:${collector.port}/api/traces?token=abc` });
    t.after(async () => {
      await exporter.shutdown();
      await collector.close();
    });
    diagLog.clear();
    assert.equal((await exportSpans(exporter, spans)).code, ExportResultCode.SUCCESS);
    assert.equal(collector.requests[0]!.headers.authorization, `Basic ${Buffer.from('tp-user:s3cret').toString('base64')}`);

    status = 500;
    const failed = await exportSpans(exporter, spans);
    assert.equal(failed.code, ExportResultCode.FAILED, 'an HTTP 500 fails the export');
    const errors = diagLog.at('error');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /http:\/\/127\.0\.0\.1:\d+\/api\/traces \(HTTP 500\); 3 span\(s\) dropped/);
    assert.doesNotMatch(errors[0]!.message, /s3cret|tp-user|token/);
  });
});
