// The generator's reports are shaped as @tracepack/usage's: the real reporter (startUsage) sends
// a report and a keep-alive to a decoding receiver, and every metric of it (scope, name, type,
// temporality, monotonicity, unit, attribute keys, bucket bounds) and its resource keys are
// found, the same, in a generated report decoded by the same decoder; test instances alike.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  decodeMetricsRequest,
  otlpMetricsTypes,
  startOtlpMetricsReceiver,
  type DecodedMetricsReport,
  type OtlpMetricsReceiver,
} from '@tracepack/testing';
import { startUsage, USAGE_METRICS } from '@tracepack/usage';
import { encodeDelivery, generateFleet, type GenReport, type OtlpResourceMetrics } from './generator';

/** One line per metric: what must match between the real reporter and the generator. */
function shapes(report: DecodedMetricsReport): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of report.points) {
    const keys = Object.keys(p.attributes).sort().join(',');
    const bounds = p.histogram ? ` bounds=${p.histogram.bounds.join(',')}` : '';
    const line = `${p.scope.name} ${p.type} ${p.temporality ?? '-'} monotonic=${String(p.monotonic)} unit=${p.unit}${bounds}`;
    const prev = out.get(p.metric);
    // Attribute key sets may differ per point (the overflow series): collect them all.
    out.set(
      p.metric,
      prev === undefined ? `${line} keys=[${keys}]` : prev.includes(`[${keys}]`) ? prev : `${prev} [${keys}]`,
    );
  }
  return out;
}

function decode(rm: OtlpResourceMetrics): DecodedMetricsReport {
  const { body } = encodeDelivery(
    { resourceMetrics: [rm], encoding: 'protobuf', target: 0, repeats: 0 },
    otlpMetricsTypes(),
  );
  return decodeMetricsRequest(body, false);
}

describe('the generator writes what @tracepack/usage sends', () => {
  let receiver: OtlpMetricsReceiver;
  let real: DecodedMetricsReport;
  let realKeepalive: DecodedMetricsReport;
  let realLocal: DecodedMetricsReport;
  const fleet = generateFleet({ now: new Date(), seed: 5, initialInstallations: 20, newInstallations: 2, leaving: 0 });

  before(async () => {
    receiver = await startOtlpMetricsReceiver();
    const app = createServer((req, res) => {
      const status = req.url === '/missing' ? 404 : 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('hi');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const common = { argv: [], env: {}, handleSignals: false, logger: () => undefined, routes: ['/clients/:id'] };
    const usage = startUsage({
      ...common,
      config: { endpoint: receiver.url, identify_after: 0, report_interval: '1h', keepalive_interval: '1s' },
      installation: ['https://clients.example.com'],
      service: {
        name: 'clients-service',
        version: '1.5.0',
        gitHash: 'a'.repeat(40),
        buildTime: '2026-11-01T00:00:00Z',
        deploymentEnvironment: 'production',
      },
    });
    try {
      for (const path of ['/clients/1', '/clients/2', '/missing', '/other/path'])
        await (await fetch(base + path)).text();
      usage.feature('client.created');
      usage.activity('login', { userId: 'u-1' });
      await receiver.waitForReports(1, 5000); // a keep-alive first
      await usage.flush();
      const reports = await receiver.waitForReports(2, 5000);
      real = reports.find((r) => r.metricNames.includes('tracepack.usage.http.duration'))!;
      realKeepalive = reports.find(
        (r) => r.metricNames.length === 1 && r.metricNames[0] === 'tracepack.usage.keepalive',
      )!;
    } finally {
      await usage.shutdown();
    }
    receiver.reset();
    const local = startUsage({
      ...common,
      config: { endpoint: receiver.url, report_interval: '1h' },
      local: true,
      service: { name: 'clients-service', version: '1.5.0' },
    });
    try {
      await (await fetch(`${base}/clients/3`)).text();
      await local.flush();
      realLocal = (await receiver.waitForReports(1, 5000)).find((r) =>
        r.metricNames.includes('tracepack.usage.http.duration'),
      )!;
    } finally {
      await local.shutdown();
      app.close();
    }
  });

  after(() => receiver.stop());

  const generated = (pick: (r: GenReport) => boolean): GenReport => {
    const r = fleet.reports.find(pick);
    assert.ok(r, 'a generated report of that kind');
    return r;
  };

  it('an identified report: the same metrics, types, units, attribute keys and bounds; the resource keys the reporter sends', () => {
    assert.ok(real && realKeepalive, 'the real reporter sent a report and a keep-alive');
    const gen = generated(
      (r) =>
        r.identified &&
        r.canaries.size === 0 &&
        r.series.some((s) => s.status === 404) &&
        r.features.some((f) => f.source === 'service') &&
        r.resourceMetrics.scopeMetrics[0]!.metrics.some((m) => m.name === 'tracepack.usage.activity'),
    );
    const want = shapes(real);
    const got = shapes(decode(gen.resourceMetrics));
    for (const [metric, shape] of want) assert.equal(got.get(metric), shape, metric);
    // Nothing the reporter never sends.
    // Nothing the reporter never sends (a short run may have had no garbage collection to report).
    const names: readonly string[] = Object.values(USAGE_METRICS);
    for (const metric of got.keys()) assert.ok(names.includes(metric), `${metric} is one of @tracepack/usage's`);
    assert.ok(want.size >= 9, `the real report carried ${[...want.keys()].join(', ')}`);
    const realKeys = Object.keys(real.resources[0]!).sort();
    const genKeys = Object.keys(decode(gen.resourceMetrics).resources[0]!).sort();
    assert.deepEqual(genKeys, realKeys);
    assert.equal(decode(gen.resourceMetrics).resources[0]!['tracepack.usage.identified'], true);
  });

  it('a keep-alive and a test instance: the same shapes', () => {
    const keepalive = fleet.keepalives[0]!;
    assert.deepEqual(shapes(decode(keepalive.resourceMetrics)), shapes(realKeepalive));
    assert.deepEqual(
      Object.keys(decode(keepalive.resourceMetrics).resources[0]!).sort(),
      Object.keys(realKeepalive.resources[0]!).sort(),
    );
    const local = generated((r) => r.instance.testReason === 'local');
    const decoded = decode(local.resourceMetrics);
    assert.deepEqual(Object.keys(decoded.resources[0]!).sort(), Object.keys(realLocal.resources[0]!).sort());
    assert.equal(
      decoded.resources[0]!['tracepack.usage.test_reason'],
      realLocal.resources[0]!['tracepack.usage.test_reason'],
    );
    const want = shapes(realLocal);
    for (const [metric, shape] of shapes(decoded)) if (want.has(metric)) assert.equal(shape, want.get(metric), metric);
  });
});
