import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  pointsOf,
  startOtlpMetricsReceiver,
  type DecodedMetricPoint,
  type OtlpMetricsReceiver,
} from '@tracepack/testing';
import { SqaConfigError, startUsage, USAGE_METRICS as M, type StartUsageOptions, type UsageHandle } from '../src';
import { delay, helloApp, hit, lines, startApp } from './helpers';

let receiver: OtlpMetricsReceiver;
let app: Awaited<ReturnType<typeof startApp>>;
let usage: UsageHandle | undefined;
before(async () => {
  receiver = await startOtlpMetricsReceiver();
  app = await startApp(helloApp);
});
after(async () => {
  await app.close();
  await receiver.stop();
});
afterEach(async () => {
  await usage?.shutdown();
  usage = undefined;
  receiver.reset();
});

/**
 * A reporter whose reports come only when flushed (period: 1 h), sent to the test receiver.
 * The receiver runs in this process, so its own /v1/metrics requests are ignored like probes.
 */
function start(options: StartUsageOptions = {}): UsageHandle {
  usage = startUsage({
    handleSignals: false,
    logger: () => undefined,
    argv: [],
    ...options,
    env: {
      SQA_ENDPOINT: receiver.url,
      SQA_REPORT_INTERVAL: '1h',
      SQA_IGNORE_PATHS: '/health/alive,/v1/metrics',
      ...options.env,
    },
  });
  return usage;
}

/** The points of the next report, once flushed. */
async function nextReport(
  u: UsageHandle,
): Promise<{ points: DecodedMetricPoint[]; resource: Record<string, unknown> }> {
  const before = receiver.reports.length;
  await u.flush();
  const reports = await receiver.waitForReports(before + 1);
  const r = reports[reports.length - 1]!;
  return { points: r.points, resource: r.resources[0]! };
}
const ofApp = (points: DecodedMetricPoint[], metric: string): DecodedMetricPoint[] =>
  points.filter((p) => p.metric === metric);

describe('request telemetry', () => {
  it('counts requests per method, and per endpoint, method and status: latency and size histograms, DELTA', async () => {
    const u = start({ routes: ['/clients/:id'] });
    await hit(app.url, ['/clients/1', '/clients/2', '/clients/3?status=404', '/health/alive']);
    await hit(app.url, ['/clients/4'], { method: 'DELETE' });
    await hit(app.url, ['/clients/5'], { method: 'PROPFIND' }); // WebDAV: parsed by node, not in the list
    const { points } = await nextReport(u);
    const requests = points.filter((p) => p.metric === M.requests);
    assert.ok(requests.every((p) => p.type === 'sum' && p.temporality === 'delta' && p.monotonic));
    const byMethod = Object.fromEntries(requests.map((p) => [p.attributes['http.request.method'], p.value]));
    assert.equal(byMethod.GET, 3, 'GET: three counted, /health/alive ignored (sqa.ignore_paths)');
    assert.equal(byMethod.DELETE, 1);
    assert.equal(byMethod._OTHER, 1, 'a method outside the standard ones is _OTHER, never its name');
    const durations = ofApp(points, M.duration);
    assert.ok(
      durations.every((p) => p.type === 'histogram' && p.temporality === 'delta' && p.histogram!.bounds.length > 10),
    );
    const key = (p: DecodedMetricPoint): string =>
      `${p.attributes['http.request.method']} ${p.attributes['tracepack.usage.endpoint']} ${p.attributes['http.response.status_code']}`;
    const counts = Object.fromEntries(durations.map((p) => [key(p), p.histogram!.count]));
    assert.deepEqual(counts, {
      'GET /clients/:id 200': 2,
      'GET /clients/:id 404': 1,
      'DELETE /clients/:id 200': 1,
      '_OTHER /clients/:id 200': 1,
    });
    const get200 = durations.find((p) => key(p) === 'GET /clients/:id 200')!.histogram!;
    assert.equal(
      get200.counts.reduce((a, b) => a + b, 0),
      2,
    );
    assert.ok(get200.min! > 0 && get200.max! >= get200.min! && get200.sum! >= get200.max!);
    const size = ofApp(points, M.responseSize).find((p) => key(p) === 'GET /clients/:id 200')!.histogram!;
    assert.ok(size.min! > 'hello'.length, 'response size counts what went on the wire: status line, headers, body');
    // DELTA: the next report holds only what happened since.
    await hit(app.url, ['/clients/9']);
    const next = await nextReport(u);
    assert.deepEqual(
      ofApp(next.points, M.duration).map((p) => [key(p), p.histogram!.count]),
      [['GET /clients/:id 200', 1]],
    );
  });

  it('keeps at most max_endpoints endpoints; the rest go to one overflow series that keeps method and status', async () => {
    const u = start({ env: { SQA_MAX_ENDPOINTS: '3' } });
    const paths = Array.from({ length: 20 }, (_, i) => `/item-${i}`);
    await hit(app.url, paths);
    await hit(app.url, ['/x?status=500']);
    const { points } = await nextReport(u);
    const durations = points.filter((p) => p.metric === M.duration);
    const named = durations.filter((p) => p.attributes['tracepack.usage.endpoint'] !== undefined);
    assert.equal(new Set(named.map((p) => p.attributes['tracepack.usage.endpoint'])).size, 3);
    const overflow = durations.filter((p) => p.attributes['otel.metric.overflow'] === true);
    assert.deepEqual(
      overflow
        .map((p) => [
          p.attributes['http.request.method'],
          p.attributes['http.response.status_code'],
          p.histogram!.count,
        ])
        .sort(),
      [
        ['GET', 200, 17],
        ['GET', 500, 1],
      ],
    );
    const total = durations.reduce((n, p) => n + p.histogram!.count, 0);
    assert.equal(total, 21, 'totals stay exact');
  });

  it('learns a route template at run time (declareRoute): matching paths of the period are claimed by it', async () => {
    const u = start();
    await hit(app.url, ['/orders/17', '/orders/18']);
    u.declareRoute('/orders/:id');
    await hit(app.url, ['/orders/19']);
    const { points } = await nextReport(u);
    const endpoints = ofApp(points, M.duration).map((p) => [
      p.attributes['tracepack.usage.endpoint'],
      p.histogram!.count,
    ]);
    assert.deepEqual(endpoints, [['/orders/:id', 3]]);
  });

  it('sends runtime stats (GC as rates over the end of the period) and the features in use, as names and counts', async () => {
    // A 2 s period: GC is observed during its last 0.2 s, when the garbage below is collected.
    const u = start({
      env: {
        SQA_REPORT_INTERVAL: '2s',
        TRACING_PROVIDER: 'otlp',
        TRACING_PROPAGATORS: 'tracecontext,b3',
        TRACING_INSTRUMENTATIONS_HTTP_ROUTES: '/a/:id,/b/:id',
      },
    });
    await delay(1850);
    const garbage: unknown[] = [];
    for (let i = 0; i < 300_000; i++) garbage.push({ i, s: `x${i}` });
    garbage.length = 0;
    await delay(100);
    u.feature('client.created');
    u.feature('client.created', 2);
    u.feature('bad name with spaces');
    await nextReport(u);
    // The 2 s period's own report may have come first: every report of this test counts.
    const points = receiver.reports.flatMap((r) => r.points);
    const value = (metric: string, attrs: Record<string, unknown> = {}): number | undefined =>
      pointsOf([{ points } as never], metric).find((p) =>
        Object.entries(attrs).every(([k, v]) => p.attributes[k] === v),
      )?.value;
    assert.ok(value(M.heapUsed)! > 1e6);
    assert.ok(value(M.rss)! > value(M.heapUsed)!);
    assert.ok(value(M.eventLoopDelayP99)! >= 0);
    assert.ok(value(M.gcRate, { 'nodejs.gc.kind': 'minor' })! > 0, 'minor collections per second over the window');
    assert.ok(value(M.gcTime, { 'nodejs.gc.kind': 'minor' })! > 0);
    const uses = points.filter((p) => p.metric === M.serviceFeatures);
    assert.equal(
      uses.reduce((n, p) => n + p.value!, 0),
      3,
      'deltas: summed over the reports',
    );
    assert.ok(
      uses.every((p) => p.attributes['tracepack.feature'] === 'client.created'),
      'a bad name is dropped, never sent',
    );
    const features = Object.fromEntries(
      points.filter((p) => p.metric === M.tracepackFeatures).map((p) => [p.attributes['tracepack.feature'], p.value]),
    );
    assert.equal(features['tracing.provider.otlp'], 1);
    assert.equal(features['tracing.propagator.b3'], 1);
    assert.equal(features['tracing.http.routes'], 2, 'how many routes, never which');
    assert.equal(features['tracing.instrumentation.http'], 1);
  });
});

describe('identity', () => {
  it('a young instance is a test instance: instance id and reason only, nothing of the host', async () => {
    const u = start({ env: { SQA_IDENTIFY_AFTER: '15m' }, service: { name: 'clients-service' } });
    const { resource } = await nextReport(u);
    assert.deepEqual(resource, {
      'service.instance.id': u.instanceId,
      'tracepack.usage.version': resource['tracepack.usage.version'],
      'tracepack.usage.identified': false,
      'tracepack.usage.test_reason': 'warming_up',
    });
  });

  it('after identify_after, outside CI and local runs: installation id (SHA-256 of the declared values) and traits', async () => {
    const u = start({
      env: {
        SQA_IDENTIFY_AFTER: '0s',
        GIT_COMMIT: 'ABCDEF1234567',
        BUILD_TIME: '2026-11-01T10:00:00Z',
        TRACING_DEPLOYMENT_ENVIRONMENT: 'production',
      },
      service: { name: 'clients-service', version: '1.2.3' },
      installation: ['https://clients.example.com'],
    });
    const { resource } = await nextReport(u);
    const { createHash } = await import('node:crypto');
    assert.equal(resource['tracepack.usage.identified'], true);
    assert.equal(
      resource['tracepack.usage.installation.id'],
      createHash('sha256').update('installation|https://clients.example.com').digest('hex'),
    );
    assert.equal(resource['service.name'], 'clients-service');
    assert.equal(resource['service.version'], '1.2.3');
    assert.equal(resource['vcs.ref.head.revision'], 'abcdef1234567');
    assert.equal(resource['tracepack.usage.build_time'], '2026-11-01T10:00:00.000Z');
    assert.equal(resource['deployment.environment.name'], 'production');
    assert.equal(resource['process.runtime.name'], 'nodejs');
    assert.equal(resource['process.runtime.version'], process.versions.node);
    assert.equal(typeof resource['os.type'], 'string');
    assert.equal(typeof resource['host.arch'], 'string');
    assert.ok(Number(resource['tracepack.usage.cpu.count']) >= 1);
  });

  for (const [name, env, reason, ci] of [
    ['in CI', { GITHUB_ACTIONS: 'true' }, 'ci', 'github_actions'],
    ['with CI=1', { CI: '1' }, 'ci', 'ci'],
    ['in a local run (deployment environment local)', { TRACING_DEPLOYMENT_ENVIRONMENT: 'local' }, 'local', undefined],
    ['with NODE_ENV=development', { NODE_ENV: 'development' }, 'local', undefined],
  ] as const) {
    it(`${name}: counted as a test instance whatever its uptime`, async () => {
      const u = start({ env: { SQA_IDENTIFY_AFTER: '0s', ...env } });
      const { resource } = await nextReport(u);
      assert.equal(resource['tracepack.usage.identified'], false);
      assert.equal(resource['tracepack.usage.test_reason'], reason);
      assert.equal(resource['tracepack.usage.ci.name'], ci);
      assert.equal(resource['tracepack.usage.installation.id'], undefined);
    });
  }

  it('sends a keep-alive with the instance id and nothing else, on its own schedule', async () => {
    const u = start({ env: { SQA_KEEPALIVE_INTERVAL: '1s' } });
    const reports = await receiver.waitForReports(1, 3000);
    const keepAlive = reports.find((r) => r.metricNames.includes(M.keepalive))!;
    assert.deepEqual(keepAlive.resources, [{ 'service.instance.id': u.instanceId }]);
    assert.deepEqual(keepAlive.metricNames, [M.keepalive]);
  });
});

describe('config at start', () => {
  it('an invalid sqa value stops the start with key, value and allowed values', () => {
    assert.throws(
      () =>
        startUsage({
          argv: ['--sqa.protocol=grpc'],
          env: { SQA_ENDPOINT: 'nope', SQA_MAX_ENDPOINTS: '-1' },
          logger: () => undefined,
        }),
      (err: unknown) => {
        assert.ok(err instanceof SqaConfigError);
        assert.match(err.message, /invalid sqa config \(3 errors\)/);
        assert.match(err.message, /sqa\.protocol: "grpc" is not one of http\/protobuf, http\/json/);
        assert.match(err.message, /SQA_ENDPOINT \(sqa\.endpoint\): "nope" is not an http\(s\) URL/);
        assert.match(
          err.message,
          /SQA_MAX_ENDPOINTS \(sqa\.max_endpoints\): -1 is outside the allowed range 1\.\.100000/,
        );
        return true;
      },
    );
  });

  it('JSON is selectable, the api key goes in its header, and one line says what is on', async () => {
    const logs = lines();
    const u = start({
      env: { SQA_PROTOCOL: 'http/json', SQA_API_KEY: 'k-123', SQA_API_KEY_HEADER: 'authorization' },
      logger: logs.log,
    });
    await nextReport(u);
    assert.equal(receiver.requests.at(-1)!.contentType, 'application/json');
    assert.equal(receiver.requests.at(-1)!.headers.authorization, 'k-123');
    assert.equal(receiver.reports.at(-1)!.transport, 'http/json');
    assert.equal(logs.lines.length, 1);
    assert.match(
      logs.lines[0]!,
      /^usage statistics on \(anonymous\): every 1h to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics \(OTLP http\/json\): request counts, latency and response sizes per route template or hashed path, status codes, heap, RSS, GC and event-loop delay, feature names and counts; no paths, query values, headers, bodies, cookies, IPs or raw ids\. See exactly what: npx tracepack usage preview\. Turn off: DO_NOT_TRACK=1, /,
    );
  });
});
