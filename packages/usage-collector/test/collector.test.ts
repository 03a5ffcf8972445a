// The collector over real HTTP on loopback with the embedded database (PGlite in a temp data
// dir): real @tracepack/usage reports stored, and every answer the OTLP/HTTP endpoint gives.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startUsage } from '@tracepack/usage';
import { startUsageCollector, type UsageCollector } from '../src/index';
import { count, encode, exportRequest, post, resourceMetrics, send, sha256, tempDir } from './helpers';

const KEY = 'collector-test-key';
const HOUR = 3_600_000;

describe('usage collector: HTTP answers and storage (PGlite)', () => {
  let collector: UsageCollector;
  const tmp = tempDir('usage-collector-');
  const logs: string[] = [];

  before(async () => {
    collector = await startUsageCollector({
      port: 0,
      dataDir: tmp.dir,
      apiKey: KEY,
      bodyLimit: 64 * 1024,
      env: {},
      logger: (l) => logs.push(l),
    });
  });
  after(async () => {
    await collector.close();
    tmp.remove();
  });
  const auth = { 'x-api-key': KEY };

  it('says where it listens and stores, with the migrations it applied', () => {
    assert.match(
      logs[0]!,
      /taking OTLP\/HTTP metric reports on http:\/\/127\.0\.0\.1:\d+\/v1\/metrics .*API key required.*embedded database \(PGlite\) in .*\(migrations applied: 001/,
    );
    assert.equal(collector.metricsUrl, `${collector.url}/v1/metrics`);
  });

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`stores a real @tracepack/usage report (${protocol}) with its identity, endpoints, features and activity`, async (t) => {
      const app = createServer((req, res) => {
        req.resume();
        res.writeHead(req.url?.includes('fail') ? 500 : 200).end('ok');
      });
      await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
      t.after(() => new Promise((r) => app.close(r)));
      const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
      const usage = startUsage({
        handleSignals: false,
        argv: [],
        logger: () => undefined,
        routes: ['/clients/:id'],
        installation: [`https://clients.example/${protocol}`],
        service: { name: 'clients-service', version: '2.3.4' },
        env: {
          SQA_ENDPOINT: collector.url,
          SQA_PROTOCOL: protocol,
          SQA_API_KEY: KEY,
          SQA_REPORT_INTERVAL: '1h',
          SQA_IDENTIFY_AFTER: '0s',
          SQA_INSTALLATION_SALT: 'installation-salt-0001',
        },
      });
      t.after(() => usage.shutdown());
      for (const path of ['/clients/1', '/clients/2', '/clients/3?fail=1', '/orders/abc'])
        await (await fetch(appUrl + path)).text();
      usage.feature('client.created', 2);
      usage.activity('login', { userId: 'user-1', orgId: 'org-1' });
      await usage.flush();
      assert.deepEqual(
        { ...usage.stats(), pending: 0 },
        { sent: 1, failedAttempts: 0, dropped: 0, pending: 0 },
        'the collector answered 200',
      );

      await collector.rollUp(); // acknowledged = landed; the roll-up puts it into the tables
      const db = collector.database;
      const id = usage.instanceId!;
      const inst = (await db.query<Record<string, unknown>>('SELECT * FROM instances WHERE instance_id = $1', [id]))
        .rows[0]!;
      assert.equal(inst.identified, true);
      assert.equal(inst.installation_id, sha256(`installation|https://clients.example/${protocol}`));
      assert.equal(inst.service_name, 'clients-service');
      assert.equal(inst.service_version, '2.3.4');
      assert.equal(inst.runtime_version, process.versions.node);
      assert.equal(await count(db, 'installations', 'installation_id = $1', [inst.installation_id]), 1);
      assert.equal(await count(db, 'reports', 'instance_id = $1 AND identified', [id]), 1);

      const eps = (
        await db.query<{
          endpoint: string;
          method: string;
          status_code: number;
          duration_count: string;
          size_count: string;
          duration_counts: string[];
        }>(
          'SELECT endpoint, method, status_code, duration_count, size_count, duration_counts FROM endpoint_usage WHERE instance_id = $1 ORDER BY endpoint, status_code',
          [id],
        )
      ).rows;
      const summary = eps
        .map(
          (e) =>
            `${e.method} ${e.endpoint.replace(/[0-9a-f]{64}/g, '<sha256>')} ${e.status_code} ${e.duration_count}/${e.size_count}`,
        )
        .sort();
      assert.deepEqual(summary, [
        'GET /<sha256>/<sha256> 200 1/1',
        'GET /clients/:id 200 2/2',
        'GET /clients/:id 500 1/1',
      ]);
      assert.equal(
        eps
          .find((e) => e.endpoint === '/clients/:id' && e.status_code === 200)!
          .duration_counts.map(Number)
          .reduce((a, b) => a + b, 0),
        2,
        'the latency buckets add up to the count',
      );
      assert.equal(await count(db, 'request_counts', "instance_id = $1 AND method = 'GET' AND requests = 4", [id]), 1);
      assert.equal(
        await count(
          db,
          'feature_usage',
          "instance_id = $1 AND source = 'service' AND feature = 'client.created' AND value = 2",
          [id],
        ),
        1,
      );
      assert.equal(
        await count(db, 'feature_usage', "instance_id = $1 AND source = 'tracepack' AND feature = 'tracing.off'", [id]),
        1,
      );
      assert.equal(
        await count(
          db,
          'user_activity',
          "instance_id = $1 AND activity = 'login' AND user_hash = $2 AND org_hash = $3",
          [id, sha256('user-1|installation-salt-0001'), sha256('org-1|installation-salt-0001')],
        ),
        1,
      );
      assert.ok(
        (await count(db, 'runtime_stats', "instance_id = $1 AND metric = 'process.memory.heap_used' AND value > 0", [
          id,
        ])) === 1,
      );
    });
  }

  it('stores a keep-alive, and a test instance as such (not identified, its reason)', async () => {
    const id = '6f1c2a9e-0000-4000-8000-000000000001';
    const t0 = Date.UTC(2026, 0, 10);
    const r1 = await send(
      collector.url,
      exportRequest(
        resourceMetrics({
          instanceId: id,
          startMs: t0,
          endMs: t0 + HOUR,
          resource: { 'tracepack.usage.test_reason': 'ci', 'tracepack.usage.ci.name': 'github_actions' },
        }),
      ),
      'json',
      auth,
    );
    assert.equal(r1.status, 200);
    const r2 = await send(collector.url, exportRequest({ resourceMetrics: [] }, ...[]), 'protobuf', auth);
    assert.equal(r2.status, 200, 'an empty request is fine');
    const k = await send(
      collector.url,
      {
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'tracepack.usage.keepalive',
                    gauge: { dataPoints: [{ timeUnixNano: String(BigInt(t0 + 2 * HOUR) * 1_000_000n), asInt: '1' }] },
                  },
                ],
              },
            ],
          },
        ],
      },
      'protobuf',
      auth,
    );
    assert.equal(k.status, 200);
    await collector.rollUp();
    const inst = (
      await collector.database.query<{
        identified: boolean;
        test_reason: string;
        ci_name: string;
        installation_id: string | null;
        last_seen: Date;
      }>('SELECT * FROM instances WHERE instance_id = $1', [id])
    ).rows[0]!;
    assert.deepEqual(
      [inst.identified, inst.test_reason, inst.ci_name, inst.installation_id],
      [false, 'ci', 'github_actions', null],
    );
    assert.equal(
      await count(collector.database, 'keepalives', 'instance_id = $1 AND at = $2', [
        id,
        new Date(t0 + 2 * HOUR).toISOString(),
      ]),
      1,
    );
    assert.equal(inst.last_seen.toISOString(), new Date(t0 + 2 * HOUR).toISOString(), 'a keep-alive moves last_seen');
  });

  it('answers 200 with partialSuccess counting what it did not store: unknown metrics (counted), cumulative sums, no instance id', async () => {
    const id = '6f1c2a9e-0000-4000-8000-000000000002';
    const t0 = Date.UTC(2026, 0, 11);
    const rm = resourceMetrics({
      instanceId: id,
      installationId: sha256('partial'),
      startMs: t0,
      endMs: t0 + HOUR,
      endpoints: [{ endpoint: '/a', durations: [1] }],
      extraMetrics: [
        {
          name: 'http.server.request.duration',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [{ timeUnixNano: '1768089600000000000', count: '1', bucketCounts: ['1'] }],
          },
        },
        {
          name: 'my.custom.counter',
          sum: {
            aggregationTemporality: 1,
            dataPoints: [
              { timeUnixNano: '1768089600000000000', asInt: '1' },
              { timeUnixNano: '1768089600000000001', asInt: '2' },
            ],
          },
        },
        {
          name: 'tracepack.usage.service.features',
          sum: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                timeUnixNano: '1768089600000000000',
                asInt: '5',
                attributes: [{ key: 'tracepack.feature', value: { stringValue: 'x.y' } }],
              },
            ],
          },
        },
      ],
    });
    const orphan = resourceMetrics({
      startMs: t0,
      endMs: t0 + HOUR,
      resource: { 'service.instance.id': 'not-a-uuid' },
    });
    for (const wire of ['protobuf', 'json'] as const) {
      const res = await send(collector.url, exportRequest(rm, orphan), wire, auth);
      assert.equal(res.status, 200);
      const partial = res.decoded.partialSuccess as { rejectedDataPoints: number | string; errorMessage: string };
      assert.equal(Number(partial.rejectedDataPoints), 3 + 1 + 2, JSON.stringify(partial));
      assert.match(partial.errorMessage, /3 data points of unknown metrics ignored/);
      assert.match(
        partial.errorMessage,
        /1 data point of tracepack\.usage\.service\.features rejected: only delta temporality is stored/,
      );
      assert.match(
        partial.errorMessage,
        /2 data points without a service\.instance\.id \(UUID\) in their resource, rejected/,
      );
    }
    await collector.rollUp();
    const ignored = (
      await collector.database.query<{ metric: string; data_points: number }>(
        'SELECT metric, data_points FROM ignored_metrics WHERE instance_id = $1 ORDER BY metric',
        [id],
      )
    ).rows;
    assert.deepEqual(
      ignored,
      [
        { metric: 'http.server.request.duration', data_points: 1 },
        { metric: 'my.custom.counter', data_points: 2 },
      ],
      'counted once although the request came twice',
    );
    assert.equal(
      await count(collector.database, 'endpoint_usage', 'instance_id = $1', [id]),
      1,
      'the rest of the report is stored',
    );
  });

  it('answers 200 with no partialSuccess when everything was taken', async () => {
    const res = await send(
      collector.url,
      exportRequest(
        resourceMetrics({
          startMs: Date.UTC(2026, 0, 12),
          endMs: Date.UTC(2026, 0, 12, 1),
          endpoints: [{ endpoint: '/b', durations: [2] }],
        }),
      ),
      'protobuf',
      auth,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    assert.deepEqual(res.decoded, {});
    assert.equal(res.body.length, 0, 'an empty ExportMetricsServiceResponse');
  });

  it('400 for a malformed protobuf, naming the problem', async () => {
    const res = await post(collector.url, Buffer.from('this is not protobuf'), { headers: auth });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf', 'the Status in the request encoding');
    assert.equal(res.decoded.code, 3);
    assert.match(
      String(res.decoded.message),
      /^malformed protobuf: not an OTLP ExportMetricsServiceRequest \(.*(wire type|index out of range).*\)$/,
    );
    const truncated = encode(exportRequest(resourceMetrics({ startMs: 1e12, endMs: 1e12 + 1 })), 'protobuf').subarray(
      0,
      40,
    );
    const res2 = await post(collector.url, truncated, { headers: auth });
    assert.equal(res2.status, 400);
    assert.match(String(res2.decoded.message), /^malformed protobuf/);
  });

  it('400 for malformed JSON or JSON of the wrong shape, naming the problem', async () => {
    const bad = await post(collector.url, '{"resourceMetrics": [', { contentType: 'application/json', headers: auth });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('content-type'), 'application/json');
    assert.match(String(bad.decoded.message), /^malformed JSON: .*(Unexpected end|JSON)/);
    const shape = await post(collector.url, '{"resourceMetrics": "everything"}', {
      contentType: 'application/json',
      headers: auth,
    });
    assert.equal(shape.status, 400);
    assert.match(String(shape.decoded.message), /resourceMetrics: array expected/);
    const array = await post(collector.url, '[1,2]', { contentType: 'application/json; charset=utf-8', headers: auth });
    assert.equal(array.status, 400);
    assert.match(String(array.decoded.message), /is an object/);
  });

  it('401 without the key or with a wrong one; the key is taken as x-api-key or Authorization: Bearer', async () => {
    const body = encode(exportRequest(), 'protobuf');
    const none = await post(collector.url, body);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.match(String(none.decoded.message), /missing or wrong API key/);
    assert.equal((await post(collector.url, body, { headers: { 'x-api-key': 'wrong' } })).status, 401);
    assert.equal((await post(collector.url, body, { headers: { authorization: `Basic ${KEY}` } })).status, 401);
    assert.equal((await post(collector.url, body, { headers: { 'x-api-key': KEY } })).status, 200);
    assert.equal((await post(collector.url, body, { headers: { authorization: `Bearer ${KEY}` } })).status, 200);
  });

  it('413 for a body over the limit: declared, streamed, or once decompressed', async () => {
    const big = Buffer.alloc(64 * 1024 + 1, 0x0a);
    const declared = await post(collector.url, big, { headers: auth });
    assert.equal(declared.status, 413);
    assert.match(String(declared.decoded.message), /over the limit of 65536 bytes/);
    // Streamed without a length (chunked).
    const streamed = await fetch(collector.metricsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...auth },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 80; i++) c.enqueue(new Uint8Array(1024));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    await streamed.arrayBuffer();
    const bomb = gzipSync(Buffer.alloc(1024 * 1024));
    assert.ok(bomb.length < 64 * 1024);
    const inflated = await post(collector.url, bomb, { headers: { ...auth, 'content-encoding': 'gzip' } });
    assert.equal(inflated.status, 413);
    assert.match(String(inflated.decoded.message), /once decompressed/);
  });

  it('takes gzip bodies (what an OpenTelemetry Collector otlphttp exporter sends)', async () => {
    const id = '6f1c2a9e-0000-4000-8000-000000000003';
    const body = gzipSync(
      encode(
        exportRequest(
          resourceMetrics({
            instanceId: id,
            startMs: Date.UTC(2026, 0, 13),
            endMs: Date.UTC(2026, 0, 13, 1),
            endpoints: [{ endpoint: '/gz', durations: [1] }],
          }),
        ),
        'protobuf',
      ),
    );
    const res = await post(collector.url, body, { headers: { ...auth, 'content-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    await collector.rollUp();
    assert.equal(await count(collector.database, 'endpoint_usage', "instance_id = $1 AND endpoint = '/gz'", [id]), 1);
    const broken = await post(collector.url, Buffer.from('not gzip'), {
      headers: { ...auth, 'content-encoding': 'gzip' },
    });
    assert.equal(broken.status, 400);
    assert.match(String(broken.decoded.message), /^malformed gzip body/);
  });

  it('415 for another content type or content encoding; 404 and 405 elsewhere', async () => {
    const text = await post(collector.url, 'hello', { contentType: 'text/plain', headers: auth });
    assert.equal(text.status, 415);
    assert.match(
      String(text.decoded.message),
      /unsupported content type "text\/plain": send application\/x-protobuf or application\/json/,
    );
    const br = await post(collector.url, 'x', { headers: { ...auth, 'content-encoding': 'br' } });
    assert.equal(br.status, 415);
    assert.match(String(br.decoded.message), /unsupported content encoding "br"/);
    assert.equal((await post(collector.url, 'x', { path: '/v1/traces', headers: auth })).status, 404);
    const get = await post(collector.url, '', { method: 'GET', headers: auth });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });
});
