import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeMetricsRequest, startOtlpMetricsReceiver } from '@tracepack/testing';
import { previewUsage, renderUsagePreview, SqaConfigError } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'tracepack-usage-preview-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('previewUsage', () => {
  it('shows the next report as the exporter writes it: the protobuf on the wire decodes to the payload shown', async () => {
    const f = file(
      'on.yml',
      'tracing:\n  provider: console\n  service_name: clients-service\nsqa:\n  endpoint: https://usage.example.com\n  api_key: s3cr3t-api-key\n',
    );
    const preview = await previewUsage({
      configFile: f,
      argv: [],
      env: {},
      installation: ['https://clients.example.com'],
    });
    assert.equal(preview.enabled, true);
    const report = preview.report!;
    assert.equal(report.url, 'https://usage.example.com/v1/metrics');
    assert.equal(report.contentType, 'application/x-protobuf');
    assert.equal(report.bytes, report.body.length);
    assert.equal(report.headers['x-api-key'], '****');
    const onWire = decodeMetricsRequest(report.body, false);
    const shown = decodeMetricsRequest(Buffer.from(JSON.stringify(report.payload)), true);
    assert.deepEqual(onWire.resources, shown.resources);
    assert.deepEqual(onWire.metricNames, shown.metricNames);
    assert.deepEqual(
      onWire.points.map((p) => [p.metric, p.attributes, p.type, p.temporality]),
      shown.points.map((p) => [p.metric, p.attributes, p.type, p.temporality]),
    );
    // The first report comes one report_interval after start: identified (15m >= identify_after 15m, no CI, not local).
    assert.equal(onWire.resources[0]!['tracepack.usage.identified'], true);
    assert.equal(onWire.resources[0]!['service.name'], 'clients-service');
    assert.match(String(onWire.resources[0]!['tracepack.usage.installation.id']), /^[0-9a-f]{64}$/);
    assert.ok(
      onWire.points.some(
        (p) =>
          p.metric === 'tracepack.usage.tracepack.features' &&
          p.attributes['tracepack.feature'] === 'tracing.provider.console',
      ),
    );
    const keepAlive = decodeMetricsRequest(preview.keepAlive!.body, false);
    assert.deepEqual(
      Object.keys(keepAlive.resources[0]!),
      ['service.instance.id'],
      'a keep-alive carries the instance id and nothing else',
    );

    const text = renderUsagePreview(preview);
    assert.match(
      text,
      /^usage statistics: ON, reports every 15m to https:\/\/usage\.example\.com\/v1\/metrics \(OTLP http\/protobuf\), a keep-alive every 5m\n/,
    );
    assert.match(
      text,
      /\nnext report: POST https:\/\/usage\.example\.com\/v1\/metrics, \d+ bytes of application\/x-protobuf\n/,
    );
    assert.match(text, /tracepack\.usage\.identified = true/);
    assert.match(text, /turn off with any of: DO_NOT_TRACK=1, SQA_OPT_OUT=true/);
    assert.doesNotMatch(text, /s3cr3t/);
    assert.ok(JSON.parse(renderUsagePreview(preview, { json: true })).report.resourceMetrics);
  });

  it('names the switch that turned reports off, and builds nothing then', async () => {
    const receiver = await startOtlpMetricsReceiver();
    try {
      const preview = await previewUsage({
        argv: ['--disable-telemetry'],
        env: { SQA_ENDPOINT: receiver.url, DO_NOT_TRACK: '1' },
      });
      assert.equal(preview.enabled, false);
      assert.equal(preview.status, 'off: opted out by flag --disable-telemetry');
      assert.equal(preview.report, undefined);
      const text = renderUsagePreview(preview);
      assert.match(
        text,
        /^usage statistics: OFF \(opted out by flag --disable-telemetry\): nothing is sent\n {2}also opted out by environment DO_NOT_TRACK=1\n/,
      );
      assert.equal(receiver.connections, 0);
    } finally {
      await receiver.stop();
    }
  });

  it('masks the password and query values of sqa.endpoint wherever it shows it', async () => {
    const f = file(
      'secret.yml',
      'tracing:\n  provider: console\n  service_name: clients-service\nsqa:\n  endpoint: https://usage:pa55w0rd-canary@usage.example.com/otlp?token=t0ken-canary\n',
    );
    const preview = await previewUsage({
      configFile: f,
      argv: [],
      env: {},
      installation: ['https://clients.example.com'],
    });
    assert.equal(preview.enabled, true);
    const shown = [renderUsagePreview(preview), preview.endpoint, preview.report!.url, preview.keepAlive!.url].join(
      '\n',
    );
    assert.doesNotMatch(shown, /pa55w0rd-canary|t0ken-canary/);
    assert.match(renderUsagePreview(preview), /reports every .* to https:\/\/usage:\*\*\*@usage\.example\.com\//);
    assert.match(preview.report!.url, /^https:\/\/usage:\*\*\*@usage\.example\.com\//);
  });

  it('without an endpoint says so and still shows what a report would carry', async () => {
    const preview = await previewUsage({ argv: [], env: { SQA_PROTOCOL: 'http/json' } });
    assert.equal(preview.status, 'off: no sqa.endpoint set');
    assert.equal(preview.report!.contentType, 'application/json');
    assert.match(
      renderUsagePreview(preview),
      /^usage statistics: OFF \(no sqa\.endpoint set\): nothing is sent\n[^]*with an endpoint set, the next report would carry:/,
    );
  });

  it('refuses a bad sqa block with every error', async () => {
    await assert.rejects(
      previewUsage({ argv: ['--sqa.max_endpoints=0'], env: { SQA_PROTOCOL: 'grpc' } }),
      (err: unknown) => {
        assert.ok(err instanceof SqaConfigError);
        assert.match(
          err.message,
          /flag --sqa\.max_endpoints|sqa\.max_endpoints: 0 is outside the allowed range 1\.\.100000/,
        );
        assert.match(err.message, /SQA_PROTOCOL \(sqa\.protocol\): "grpc" is not one of http\/protobuf, http\/json/);
        return true;
      },
    );
  });
});
