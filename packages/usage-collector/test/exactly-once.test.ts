// At-least-once delivery without double counting: a report retried, sent twice to two
// collectors on one database (PGlite over the PostgreSQL wire protocol, through `pg`, as a
// PostgreSQL server would be), duplicated inside one request, or split across requests is
// stored once. And the collectors keep nothing between requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPglite, type DatabaseServer } from '@tracepack/testing';
import { startUsageCollector, type UsageCollector } from '../src/index';
import { count, exportRequest, keepAlive, resourceMetrics, send, sha256, type ReportSpec } from './helpers';

const T0 = Date.UTC(2026, 2, 1);
const HOUR = 3_600_000;

/** The sums a report adds: what double counting would double. */
async function totals(c: UsageCollector, instanceId: string): Promise<Record<string, number>> {
  // Acknowledged means landed: the roll-up (any collector's) moves it into these tables.
  await c.rollUp();
  const { rows } = await c.database.query<Record<string, number>>(
    `SELECT
       (SELECT coalesce(sum(duration_count), 0)::int FROM endpoint_usage WHERE instance_id = $1) AS responses,
       (SELECT coalesce(sum(size_sum_bytes), 0)::int FROM endpoint_usage WHERE instance_id = $1) AS bytes,
       (SELECT coalesce(sum(requests), 0)::int FROM request_counts WHERE instance_id = $1) AS requests,
       (SELECT coalesce(sum(value), 0)::int FROM feature_usage WHERE instance_id = $1 AND source = 'service') AS features,
       (SELECT coalesce(sum(events), 0)::int FROM user_activity WHERE instance_id = $1) AS events,
       (SELECT count(*)::int FROM reports WHERE instance_id = $1) AS reports,
       (SELECT count(*)::int FROM keepalives WHERE instance_id = $1) AS keepalives`,
    [instanceId],
  );
  return rows[0]!;
}

function spec(instanceId: string, hour: number, extra: Partial<ReportSpec> = {}): ReportSpec {
  return {
    instanceId,
    installationId: sha256(`inst-${instanceId}`),
    startMs: T0 + hour * HOUR,
    endMs: T0 + (hour + 1) * HOUR,
    endpoints: [
      { endpoint: '/clients/:id', durations: [1, 2, 3], bytes: 100 },
      { endpoint: '/clients', method: 'POST', status: 201, durations: [80], bytes: 300 },
    ],
    features: { 'client.created': 1 },
    activities: [{ name: 'login', user: sha256('u1'), count: 2 }],
    ...extra,
  };
}

describe('exactly-once storage: two collectors on one database', () => {
  let db: DatabaseServer;
  let a: UsageCollector;
  let b: UsageCollector;

  before(async () => {
    db = await startPglite();
    // Started together: the migrations run once (an advisory lock), both come up.
    [a, b] = await Promise.all([
      // No roll-up timers: PGlite's wire server runs every connection in one session, so a
      // roll-up's transaction would take in the other connections' statements. Roll-ups run
      // when a test reads (rollUp(), merging every copy landed by then); timers rolling up
      // concurrently on a real PostgreSQL are covered by test/e2e/usage-collector.test.ts.
      startUsageCollector({ port: 0, databaseUrl: db.url, env: {}, logger: () => undefined, rollupIntervalMs: 0 }),
      startUsageCollector({ port: 0, databaseUrl: db.url, env: {}, logger: () => undefined, rollupIntervalMs: 0 }),
    ]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await db?.stop();
  });

  it('applied each migration once, recorded in schema_migrations', async () => {
    const { rows } = await a.database.query<{ version: number; n: number }>(
      'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    assert.ok(rows.length >= 1);
    assert.deepEqual(rows[0], { version: 1, n: 1 });
    assert.ok(rows.every((r) => r.n === 1));
    assert.equal(a.database.kind, 'postgresql');
  });

  it('a report retried after a timeout (protobuf, then JSON) is stored once', async () => {
    const id = '1b1b1b1b-0000-4000-8000-000000000001';
    const request = exportRequest(resourceMetrics(spec(id, 0)));
    assert.equal((await send(a.url, request, 'protobuf')).status, 200);
    const once = await totals(a, id);
    assert.deepEqual(once, {
      responses: 4,
      bytes: 3 * 100 + 300,
      requests: 4,
      features: 1,
      events: 2,
      reports: 1,
      keepalives: 0,
    });
    assert.equal((await send(a.url, request, 'json')).status, 200);
    assert.equal((await send(a.url, request, 'protobuf')).status, 200);
    assert.deepEqual(await totals(a, id), once);
  });

  it('the same report sent to both collectors at the same time is stored once; the next period adds up', async () => {
    const id = '1b1b1b1b-0000-4000-8000-000000000002';
    const request = exportRequest(resourceMetrics(spec(id, 0)), keepAlive(id, T0 + 1.5 * HOUR));
    const answers = await Promise.all([
      send(a.url, request),
      send(b.url, request),
      send(a.url, request, 'json'),
      send(b.url, request, 'json'),
    ]);
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.deepEqual(await totals(b, id), {
      responses: 4,
      bytes: 600,
      requests: 4,
      features: 1,
      events: 2,
      reports: 1,
      keepalives: 1,
    });
    // The next period, through the other collector: new rows, same instance and installation.
    assert.equal((await send(b.url, exportRequest(resourceMetrics(spec(id, 1))))).status, 200);
    assert.deepEqual(await totals(a, id), {
      responses: 8,
      bytes: 1200,
      requests: 8,
      features: 2,
      events: 4,
      reports: 2,
      keepalives: 1,
    });
    assert.equal(await count(a.database, 'instances', 'instance_id = $1', [id]), 1);
    assert.equal(await count(a.database, 'installations', 'installation_id = $1', [sha256(`inst-${id}`)]), 1);
    const inst = (
      await a.database.query<{ first_seen: Date; last_seen: Date }>(
        'SELECT first_seen, last_seen FROM instances WHERE instance_id = $1',
        [id],
      )
    ).rows[0]!;
    assert.deepEqual(
      [inst.first_seen.toISOString(), inst.last_seen.toISOString()],
      [new Date(T0).toISOString(), new Date(T0 + 2 * HOUR).toISOString()],
    );
  });

  it('many distinct reports spread over both collectors, each sent twice, are all stored once', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `1b1b1b1b-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`);
    const requests = ids.map((id, i) => exportRequest(resourceMetrics(spec(id, i % 3))));
    const answers = await Promise.all(
      requests.flatMap((r, i) => [send(i % 2 ? a.url : b.url, r), send(i % 2 ? b.url : a.url, r, 'json')]),
    );
    assert.deepEqual(
      answers.filter((r) => r.status !== 200).map((r) => `${r.status} ${JSON.stringify(r.decoded)}`),
      [],
    );
    for (const id of ids)
      assert.deepEqual(
        await totals(a, id),
        { responses: 4, bytes: 600, requests: 4, features: 1, events: 2, reports: 1, keepalives: 0 },
        id,
      );
  });

  it('a report repeated inside one request (a Collector batch holding a retry) is taken once', async () => {
    const id = '1b1b1b1b-0000-4000-8000-000000000003';
    const rm = resourceMetrics(spec(id, 0));
    assert.equal((await send(a.url, exportRequest(rm, rm, rm))).status, 200);
    assert.deepEqual(await totals(a, id), {
      responses: 4,
      bytes: 600,
      requests: 4,
      features: 1,
      events: 2,
      reports: 1,
      keepalives: 0,
    });
  });

  it('endpoints the privacy filter makes equal are added up, once', async () => {
    const id = '1b1b1b1b-0000-4000-8000-000000000004';
    const rm = resourceMetrics(
      spec(id, 0, {
        endpoints: [
          { endpoint: '/u/a@example.com', durations: [1] },
          { endpoint: '/u/b@example.com', durations: [2, 3] },
        ],
      }),
    );
    for (let i = 0; i < 2; i++) assert.equal((await send(b.url, exportRequest(rm))).status, 200);
    await a.rollUp();
    const rows = (
      await a.database.query<{ endpoint: string; duration_count: string; duration_counts: string[] }>(
        'SELECT endpoint, duration_count, duration_counts FROM endpoint_usage WHERE instance_id = $1',
        [id],
      )
    ).rows;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.endpoint, '/u/:dropped');
    assert.equal(Number(rows[0]!.duration_count), 3);
    assert.equal(
      rows[0]!.duration_counts.map(Number).reduce((x, y) => x + y, 0),
      3,
    );
    assert.equal(
      (
        await a.database.query<{ n: number }>(
          "SELECT sum(dropped)::int AS n FROM privacy_drops WHERE instance_id = $1 AND kind = 'email'",
          [id],
        )
      ).rows[0]!.n,
      4,
    );
  });

  it('latency and sizes of one series arriving in separate requests fill one row, once', async () => {
    const id = '1b1b1b1b-0000-4000-8000-000000000005';
    const rm = resourceMetrics(spec(id, 0)) as { scopeMetrics: { metrics: { name: string }[] }[] };
    const only = (name: string): Record<string, unknown> => ({
      ...rm,
      scopeMetrics: rm.scopeMetrics.map((s) => ({ ...s, metrics: s.metrics.filter((m) => m.name === name) })),
    });
    assert.equal((await send(a.url, exportRequest(only('tracepack.usage.http.duration')))).status, 200);
    await a.rollUp();
    const half = (
      await a.database.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM endpoint_usage WHERE instance_id = $1 AND duration_count IS NOT NULL AND size_count IS NULL',
        [id],
      )
    ).rows[0]!.n;
    assert.equal(half, 2);
    assert.equal((await send(b.url, exportRequest(only('tracepack.usage.http.response.size')))).status, 200);
    assert.equal((await send(a.url, exportRequest(rm))).status, 200);
    assert.deepEqual((await totals(a, id)).responses, 4);
    assert.deepEqual((await totals(a, id)).bytes, 600);
    assert.equal(
      await count(a.database, 'endpoint_usage', 'instance_id = $1 AND duration_count = size_count', [id]),
      2,
    );
  });

  it('an instance warming up, then identified: one instance row, production from then on; each report keeps its state', async () => {
    const id = '1b1b1b1b-0000-4000-8000-000000000006';
    const warm = resourceMetrics({ ...spec(id, 0), installationId: undefined });
    assert.equal((await send(a.url, exportRequest(warm))).status, 200);
    await b.rollUp();
    let inst = (
      await a.database.query<{ identified: boolean; test_reason: string | null; installation_id: string | null }>(
        'SELECT identified, test_reason, installation_id FROM instances WHERE instance_id = $1',
        [id],
      )
    ).rows[0]!;
    assert.deepEqual(inst, { identified: false, test_reason: 'warming_up', installation_id: null });
    assert.equal((await send(b.url, exportRequest(resourceMetrics(spec(id, 1))))).status, 200);
    // The warming-up report delivered once more, late: the instance stays identified.
    assert.equal((await send(a.url, exportRequest(warm))).status, 200);
    await b.rollUp();
    inst = (
      await a.database.query<{ identified: boolean; test_reason: string | null; installation_id: string | null }>(
        'SELECT identified, test_reason, installation_id FROM instances WHERE instance_id = $1',
        [id],
      )
    ).rows[0]!;
    assert.deepEqual(inst, { identified: true, test_reason: null, installation_id: sha256(`inst-${id}`) });
    const reports = (
      await a.database.query<{ identified: boolean }>(
        'SELECT identified FROM reports WHERE instance_id = $1 ORDER BY period_start',
        [id],
      )
    ).rows;
    assert.deepEqual(
      reports.map((r) => r.identified),
      [false, true],
    );
  });
});
