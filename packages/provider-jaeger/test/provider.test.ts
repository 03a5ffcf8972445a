/* createProvider from a resolved `tracing:` config, as @tracepack/node calls it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { loadTracingConfig } from '@tracepack/config';
import type { ResolvedTracingConfig } from '@tracepack/config';
import {
  createProvider,
  JaegerAgentExporter,
  JaegerCollectorExporter,
  JaegerErrorCode,
  TracepackJaegerError,
} from '../src/index';
import { decodeCompactEmitBatch } from './compact-decoder';
import {
  exportSpans,
  ExportResultCode,
  httpServer,
  makeTracer,
  SAMPLE_RESOURCE,
  sampleSpans,
  udpReceiver,
} from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'tp-jaeger-'));

/** Resolves a YAML config file the way a service does (no env, no flags). */
function fromYaml(yaml: string): ResolvedTracingConfig {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  return loadTracingConfig({ configFile: file, env: {}, argv: [], cwd: dir }).config;
}

describe('createProvider', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers with the documented config: compact Thrift to the agent address', async (t) => {
    const agent = await udpReceiver();
    const config = fromYaml(`
tracing:
  provider: jaeger
  service_name: clients-api
  providers:
    jaeger:
      local_agent_address: 127.0.0.1:${agent.port}
`);
    const setup = createProvider(config);
    const fixture = makeTracer(SAMPLE_RESOURCE);
    t.after(async () => {
      await setup.exporter.shutdown();
      await setup.shutdown?.();
      await agent.close();
      await fixture.shutdown();
    });
    assert.ok(setup.exporter instanceof JaegerAgentExporter);
    assert.equal(setup.exporter.protocol, 'compact');
    assert.ok(setup.sampler instanceof TraceIdRatioBasedSampler, 'trace_id_ratio default 1, not ParentBased');

    const result = await exportSpans(setup.exporter, sampleSpans(fixture.tracer, fixture.spans));
    assert.equal(result.code, ExportResultCode.SUCCESS);
    const [d] = await agent.waitFor(1);
    assert.equal(decodeCompactEmitBatch(d!).batch.spans.length, 3);
  });

  it('defaults to 127.0.0.1:6831 compact; 6832 means binary', () => {
    const defaults = createProvider(fromYaml('tracing:\n  provider: jaeger\n  service_name: a\n'));
    assert.ok(defaults.exporter instanceof JaegerAgentExporter);
    assert.deepEqual(
      [defaults.exporter.host, defaults.exporter.port, defaults.exporter.protocol],
      ['127.0.0.1', 6831, 'compact'],
    );
    const binary = createProvider(
      fromYaml(
        'tracing:\n  provider: jaeger\n  service_name: a\n  providers:\n    jaeger:\n      local_agent_address: jaeger-agent:6832\n',
      ),
    );
    assert.ok(binary.exporter instanceof JaegerAgentExporter);
    assert.deepEqual(
      [binary.exporter.host, binary.exporter.port, binary.exporter.protocol],
      ['jaeger-agent', 6832, 'binary'],
    );
    const v6 = createProvider(
      fromYaml(
        'tracing:\n  provider: jaeger\n  service_name: a\n  providers:\n    jaeger:\n      local_agent_address: "[::1]:6831"\n',
      ),
    );
    assert.ok(v6.exporter instanceof JaegerAgentExporter);
    assert.equal(v6.exporter.host, '::1');
  });

  it('uses the collector when collector_endpoint is set', async (t) => {
    const collector = await httpServer((_req, res) => {
      res.statusCode = 202;
      res.end();
    });
    const setup = createProvider(
      fromYaml(
        `tracing:\n  provider: jaeger\n  service_name: a\n  providers:\n    jaeger:\n      collector_endpoint: ${collector.url}/api/traces\n`,
      ),
    );
    const fixture = makeTracer(SAMPLE_RESOURCE);
    t.after(async () => {
      await setup.exporter.shutdown();
      await collector.close();
      await fixture.shutdown();
    });
    assert.ok(setup.exporter instanceof JaegerCollectorExporter);
    assert.equal(
      (await exportSpans(setup.exporter, sampleSpans(fixture.tracer, fixture.spans))).code,
      ExportResultCode.SUCCESS,
    );
    assert.equal(collector.requests.length, 1);
  });

  it('polls sampling.server_url for tracing.service_name, and setup.shutdown() stops it', async (t) => {
    const strategies = await httpServer((_req, res) => {
      res.end(JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0 } }));
    });
    t.after(() => strategies.close());
    const setup = createProvider(
      fromYaml(`
tracing:
  provider: jaeger
  service_name: clients-api
  providers:
    jaeger:
      sampling:
        server_url: ${strategies.url}/sampling
        trace_id_ratio: 0.5
        refresh_interval_ms: 100
`),
    );
    assert.ok(!(setup.sampler instanceof TraceIdRatioBasedSampler));
    await new Promise((r) => setTimeout(r, 250));
    await setup.shutdown?.();
    assert.ok(strategies.requests.length >= 2);
    assert.ok(strategies.requests.every((r) => r.url === '/sampling?service=clients-api'));
    const polls = strategies.requests.length;
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(strategies.requests.length <= polls + 1);
    await setup.exporter.shutdown();
  });

  it('throws at setup, with the package name, path, code and allowed form, on a config built in code', () => {
    const good = fromYaml('tracing:\n  provider: jaeger\n  service_name: a\n');
    const bad = structuredClone(good);
    bad.providers.jaeger.local_agent_address = 'localhost';
    assert.throws(
      () => createProvider(bad),
      (err: unknown) =>
        err instanceof TracepackJaegerError &&
        err instanceof TypeError &&
        err.code === JaegerErrorCode.INVALID_ADDRESS &&
        /^@tracepack\/provider-jaeger: tracing\.providers\.jaeger\.local_agent_address: "localhost" is not host:port/.test(
          err.message,
        ),
    );
    const badRatio = structuredClone(good);
    badRatio.providers.jaeger.sampling.trace_id_ratio = 2;
    assert.throws(() => createProvider(badRatio), { code: JaegerErrorCode.OUT_OF_RANGE });
    const badUrl = structuredClone(good);
    badUrl.providers.jaeger.collector_endpoint = 'jaeger:14268';
    assert.throws(() => createProvider(badUrl), { code: JaegerErrorCode.INVALID_URL });
  });
});
