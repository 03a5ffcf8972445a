// @tracepack/usage-collector in the end-to-end tier: against a real PostgreSQL (reports of real
// @tracepack/usage instances stored; two collectors on one database store a report once; a
// collector SIGKILLed under load loses no acknowledged report), and behind a real
// OpenTelemetry Collector distribution (the Jaeger v2 binary is one) whose metrics pipeline
// runs otlp -> memory_limiter, filter, attributes, batch -> otlphttp to the usage collector:
// the deployment packages/usage-collector/README.md documents, with the config it shows.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPostgres, type DatabaseServer } from '@tracepack/testing';
import { startUsage, type UsageHandle } from '@tracepack/usage';
import { otlpMetricsTypes, startUsageCollector, type UsageCollector } from '@tracepack/usage-collector';
import { e2eSkip, freePorts, jaegerBinaryPath, logTail } from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed
const TRACEPACK_BIN = join(__dirname, '..', '..', '..', 'packages', 'tracepack', 'bin', 'tracepack.js');
const KEY = 'e2e-usage-key';

/** A node:http app whose requests @tracepack/usage counts, and its usage reporter pointed at `endpoint`. */
async function usageApp(
  endpoint: string,
  opts: { installation: string; protocol?: 'http/protobuf' | 'http/json'; version?: string },
): Promise<{ usage: UsageHandle; hit: (paths: string[]) => Promise<void>; close: () => Promise<void> }> {
  const app = createServer((req, res) => {
    req.resume();
    res.writeHead(req.url?.startsWith('/fail') ? 503 : 200).end('ok');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const usage = startUsage({
    handleSignals: false,
    argv: [],
    logger: () => undefined,
    routes: ['/clients/:id'],
    installation: [opts.installation],
    service: { name: 'clients-service', version: opts.version ?? '1.4.2' },
    env: {
      SQA_ENDPOINT: endpoint,
      SQA_PROTOCOL: opts.protocol ?? 'http/protobuf',
      SQA_API_KEY: KEY,
      SQA_REPORT_INTERVAL: '1h',
      SQA_IDENTIFY_AFTER: '0s',
    },
  });
  return {
    usage,
    hit: async (paths) => {
      for (const p of paths) await (await fetch(base + p)).text();
    },
    close: async () => {
      await usage.shutdown();
      await new Promise((r) => app.close(r));
    },
  };
}

async function responsesOf(c: UsageCollector, instanceId: string): Promise<Record<string, number>> {
  // Acknowledged means landed: roll the landing table up first (whichever collector's turn).
  await c.rollUp();
  const { rows } = await c.database.query<{ endpoint: string; n: number }>(
    'SELECT endpoint, sum(duration_count)::int AS n FROM endpoint_usage WHERE instance_id = $1 GROUP BY endpoint ORDER BY endpoint',
    [instanceId],
  );
  return Object.fromEntries(rows.map((r) => [r.endpoint.replace(/[0-9a-f]{64}/g, '<sha256>'), r.n]));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('e2e: usage collector on a real PostgreSQL', { skip }, () => {
  let pg: DatabaseServer;
  let a: UsageCollector;
  let b: UsageCollector;
  before(async () => {
    pg = await startPostgres({ database: 'tracepack_usage' });
    [a, b] = await Promise.all([
      startUsageCollector({ port: 0, databaseUrl: pg.url, apiKey: KEY, env: {}, logger: () => undefined }),
      startUsageCollector({ port: 0, databaseUrl: pg.url, apiKey: KEY, env: {}, logger: () => undefined }),
    ]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await pg?.stop();
  });

  test('migrates once with two collectors starting together; stores real reports (protobuf and JSON)', async (t) => {
    const versions = (
      await a.database.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    ).rows.map((r) => r.version);
    assert.equal(versions[0], 1);
    assert.equal(new Set(versions).size, versions.length);
    assert.equal(a.database.kind, 'postgresql');
    // One reporter at a time: @tracepack/usage counts every HTTP server of its process.
    for (const [i, protocol] of (['http/protobuf', 'http/json'] as const).entries()) {
      const svc = await usageApp(i === 0 ? a.url : b.url, {
        installation: `https://e2e-${protocol}.example`,
        protocol,
      });
      t.after(svc.close);
      await svc.hit(['/clients/1', '/clients/2', '/fail/x', '/clients/3']);
      svc.usage.feature('client.created');
      await svc.usage.flush();
      assert.ok(
        svc.usage.stats().sent >= 1 && svc.usage.stats().failedAttempts === 0,
        JSON.stringify(svc.usage.stats()),
      );
      assert.deepEqual(await responsesOf(a, svc.usage.instanceId!), { '/<sha256>/<sha256>': 1, '/clients/:id': 3 });
      assert.equal(
        (
          await b.database.query<{ identified: boolean }>('SELECT identified FROM instances WHERE instance_id = $1', [
            svc.usage.instanceId,
          ])
        ).rows[0]!.identified,
        true,
      );
      await svc.close();
    }
  });

  test('the same report delivered to both collectors at once is stored once', async () => {
    const { request } = otlpMetricsTypes();
    const id = '4e4e4e4e-0000-4000-8000-000000000001';
    const t0 = BigInt(Date.UTC(2026, 5, 1)) * 1_000_000n;
    const body = Buffer.from(
      request
        .encode(
          request.fromObject({
            resourceMetrics: [
              {
                resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] },
                scopeMetrics: [
                  {
                    metrics: [
                      {
                        name: 'tracepack.usage.http.duration',
                        histogram: {
                          aggregationTemporality: 1,
                          dataPoints: [
                            {
                              attributes: [
                                { key: 'tracepack.usage.endpoint', value: { stringValue: '/clients/:id' } },
                                { key: 'http.request.method', value: { stringValue: 'GET' } },
                                { key: 'http.response.status_code', value: { intValue: '200' } },
                              ],
                              startTimeUnixNano: String(t0),
                              timeUnixNano: String(t0 + 60_000_000_000n),
                              count: '5',
                              sum: 10,
                              bucketCounts: ['5', '0'],
                              explicitBounds: [100],
                            },
                          ],
                        },
                      },
                    ],
                  },
                ],
              },
            ],
          }),
        )
        .finish(),
    );
    const post = (url: string): Promise<number> =>
      fetch(`${url}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'x-api-key': KEY },
        body,
      }).then(async (r) => (await r.arrayBuffer(), r.status));
    assert.deepEqual(await Promise.all([post(a.url), post(b.url), post(a.url), post(b.url)]), [200, 200, 200, 200]);
    assert.deepEqual(await responsesOf(b, id), { '/clients/:id': 5 });
  });

  test(
    'a collector SIGKILLed under load loses no acknowledged report (tracepack usage serve, DATABASE_URL)',
    { timeout: 120_000 },
    async (t) => {
      const start = (): Promise<{ child: ChildProcess; url: string }> => {
        const child = spawn(process.execPath, [TRACEPACK_BIN, 'usage', 'serve', '--port', '0'], {
          env: { PATH: process.env.PATH, DATABASE_URL: pg.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        t.after(() => child.kill('SIGKILL'));
        let err = '';
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        return new Promise((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /^(http:\/\/\S+)\/v1\/metrics$/m.exec(out);
            if (m) resolve({ child, url: m[1]! });
          });
          child.once('exit', () => reject(new Error(`serve exited:\n${err}`)));
        });
      };
      const first = await start();
      const { request } = otlpMetricsTypes();
      const acked: string[] = [];
      let dead = false;
      first.child.once('exit', () => (dead = true));
      const sender = async (n: number): Promise<void> => {
        for (let i = 0; !dead; i++) {
          const id = `5f5f5f5f-0000-4000-8000-${String(n).padStart(4, '0')}${String(i).padStart(8, '0')}`;
          const t0 = BigInt(Date.UTC(2026, 6, 1) + i * 60_000) * 1_000_000n;
          const points = Array.from({ length: 20 }, (_, e) => ({
            attributes: [
              { key: 'tracepack.usage.endpoint', value: { stringValue: `/e${e}` } },
              { key: 'http.request.method', value: { stringValue: 'GET' } },
              { key: 'http.response.status_code', value: { intValue: '200' } },
            ],
            startTimeUnixNano: String(t0),
            timeUnixNano: String(t0 + 60_000_000_000n),
            count: '2',
            bucketCounts: ['2', '0'],
            explicitBounds: [100],
          }));
          const body = Buffer.from(
            request
              .encode(
                request.fromObject({
                  resourceMetrics: [
                    {
                      resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] },
                      scopeMetrics: [
                        {
                          metrics: [
                            {
                              name: 'tracepack.usage.http.duration',
                              histogram: { aggregationTemporality: 1, dataPoints: points },
                            },
                          ],
                        },
                      ],
                    },
                  ],
                }),
              )
              .finish(),
          );
          try {
            const res = await fetch(`${first.url}/v1/metrics`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-protobuf' },
              body,
            });
            await res.arrayBuffer();
            if (res.status === 200) acked.push(id);
          } catch {
            // in flight when it died
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, n) => sender(n)));
      await waitFor('300 acknowledged reports', 60_000, async () => (acked.length >= 300 ? true : undefined));
      first.child.kill('SIGKILL');
      await load;
      const second = await start();
      // What the killed collector acknowledged is landed (committed); a roll-up stores it.
      await a.rollUp();
      const { rows } = await a.database.query<{ id: string; n: number }>(
        'SELECT instance_id::text AS id, sum(duration_count)::int AS n FROM endpoint_usage WHERE instance_id = ANY($1::uuid[]) GROUP BY 1',
        [acked],
      );
      const stored = new Map(rows.map((r) => [r.id, r.n]));
      assert.deepEqual(
        acked.filter((id) => stored.get(id) !== 40),
        [],
        'every acknowledged report is stored, whole',
      );
      second.child.kill('SIGTERM');
      t.diagnostic(`${acked.length} reports acknowledged before the kill, all stored`);
    },
  );
});

/** The Collector config the usage collector's README documents, with the test's ports. */
export function collectorTierConfig(otlpHttpPort: number, usageCollectorUrl: string, apiKey: string): string {
  return `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpHttpPort}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
    spike_limit_mib: 128
  filter/usage-only:
    error_mode: ignore
    metrics:
      metric:
        - 'not IsMatch(name, "^tracepack\\\\.usage\\\\.")'
  attributes/privacy:
    actions:
      - key: client.address
        action: delete
      - key: user.email
        action: delete
  batch:
    timeout: 200ms
    send_batch_size: 1024
    send_batch_max_size: 4096
exporters:
  otlphttp/usage:
    endpoint: ${usageCollectorUrl}
    headers:
      x-api-key: ${apiKey}
    compression: gzip
    retry_on_failure:
      enabled: true
      initial_interval: 200ms
      max_elapsed_time: 300s
    sending_queue:
      enabled: true
      queue_size: 1000
service:
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, filter/usage-only, attributes/privacy, batch]
      exporters: [otlphttp/usage]
`;
}

describe(
  'e2e: reports through an OpenTelemetry Collector tier (Jaeger v2 build: otlp -> memory_limiter, filter, attributes, batch -> otlphttp)',
  { skip },
  () => {
    let pg: DatabaseServer;
    let collector: UsageCollector;
    let otel: ChildProcess;
    let otelUrl: string;
    let dir: string;
    before(async () => {
      pg = await startPostgres({ database: 'tracepack_usage_tier' });
      collector = await startUsageCollector({
        port: 0,
        databaseUrl: pg.url,
        apiKey: KEY,
        env: {},
        logger: () => undefined,
      });
      dir = mkdtempSync(join(tmpdir(), 'tracepack-otelcol-'));
      const { tcp } = await freePorts(1);
      const config = join(dir, 'collector.yaml');
      writeFileSync(config, collectorTierConfig(tcp[0]!, collector.url, KEY));
      const log = join(dir, 'collector.log');
      otel = spawn(jaegerBinaryPath(), ['--config', config], {
        stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
      });
      otelUrl = `http://127.0.0.1:${tcp[0]}`;
      // Ready when its OTLP/HTTP receiver answers.
      await waitFor(`the Collector (${logTail(log, 20)})`, 30_000, async () => {
        if (otel.exitCode !== null) throw new Error(`the Collector exited: ${readFileSync(log, 'utf8')}`);
        try {
          const res = await fetch(`${otelUrl}/v1/metrics`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          await res.arrayBuffer();
          return res.status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      });
    });
    after(async () => {
      if (otel && otel.exitCode === null) {
        otel.kill('SIGTERM');
        await new Promise((r) => otel.once('exit', r));
      }
      await collector?.close();
      await pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('real @tracepack/usage reports of several instances arrive through the tier and are stored, once', async (t) => {
      // One reporter at a time: @tracepack/usage counts every HTTP server of its process.
      const ids: string[] = [];
      for (const i of [0, 1, 2]) {
        const s = await usageApp(otelUrl, {
          installation: `https://tier-${i}.example`,
          protocol: i === 1 ? 'http/json' : 'http/protobuf',
          version: `1.${i}.0`,
        });
        t.after(s.close);
        await s.hit(Array.from({ length: 3 + i }, (_, k) => `/clients/${k}`));
        s.usage.feature('client.created', i + 1);
        await s.usage.flush();
        assert.ok(
          s.usage.stats().sent >= 1 && s.usage.stats().failedAttempts === 0,
          `the Collector took the report: ${JSON.stringify(s.usage.stats())}`,
        );
        ids.push(s.usage.instanceId!);
        await s.close();
      }
      for (const [i, id] of ids.entries()) {
        const got = await waitFor(`instance ${id} stored`, 30_000, async () => {
          const r = await responsesOf(collector, id);
          return r['/clients/:id'] === 3 + i ? r : undefined;
        });
        assert.deepEqual(got, { '/clients/:id': 3 + i });
        const inst = (
          await collector.database.query<{ identified: boolean; service_version: string; installation_id: string }>(
            'SELECT identified, service_version, installation_id FROM instances WHERE instance_id = $1',
            [id],
          )
        ).rows[0]!;
        assert.deepEqual([inst.identified, inst.service_version], [true, `1.${i}.0`]);
        const features = (
          await collector.database.query<{ value: number }>(
            "SELECT value FROM feature_usage WHERE instance_id = $1 AND source = 'service' AND feature = 'client.created'",
            [id],
          )
        ).rows;
        assert.deepEqual(features, [{ value: i + 1 }]);
      }
    });

    test('the tier filters: other metrics never reach the usage collector; attributes it deletes are gone', async () => {
      const id = '6a6a6a6a-0000-4000-8000-000000000001';
      const t0 = BigInt(Date.UTC(2026, 7, 1)) * 1_000_000n;
      const body = {
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'http.server.request.duration',
                    sum: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: String(t0), asInt: '1' }] },
                  },
                  {
                    name: 'tracepack.usage.service.features',
                    sum: {
                      aggregationTemporality: 1,
                      isMonotonic: true,
                      dataPoints: [
                        {
                          attributes: [
                            { key: 'tracepack.feature', value: { stringValue: 'tier.checked' } },
                            { key: 'client.address', value: { stringValue: '198.51.100.23' } },
                          ],
                          startTimeUnixNano: String(t0),
                          timeUnixNano: String(t0 + 1_000_000_000n),
                          asInt: '7',
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await fetch(`${otelUrl}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      await waitFor('the feature stored', 30_000, async () => {
        const { rows } = await collector.database.query<{ value: number }>(
          "SELECT value FROM feature_usage WHERE instance_id = $1 AND feature = 'tier.checked'",
          [id],
        );
        return rows[0]?.value === 7 ? true : undefined;
      });
      assert.equal(
        (await collector.database.query('SELECT * FROM ignored_metrics WHERE instance_id = $1', [id])).rows.length,
        0,
        'the Collector dropped the other metric',
      );
      // The address was deleted by the tier before the usage collector's own filter could count it.
      assert.equal(
        (await collector.database.query('SELECT * FROM privacy_drops WHERE instance_id = $1', [id])).rows.length,
        0,
      );
    });
  },
);
