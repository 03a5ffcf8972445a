// The landing table and its roll-up: a request lands one row (acknowledged = committed), the
// roll-up merges many landed rows into one statement. Merging must leave the tables exactly as
// storing each request in turn would: checked here against the direct path (storeBatch), on
// two embedded databases, with the deliveries that make merging hard (retries, a series' two
// histograms in separate requests, an instance warming up then identified, keep-alives).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingest, landBatch, migrate, openDatabase, rollUpLanded, storeBatch, type Database } from '../src/index';
import { joinLiterals, splitLiterals } from '../src/landing';
import { concatLiterals } from '../src/store';
import { exportRequest, keepAlive, resourceMetrics, sha256, tempDir, type ReportSpec } from './helpers';

const T0 = Date.UTC(2026, 3, 1);
const HOUR = 3_600_000;
const ID = '2c2c2c2c-0000-4000-8000-000000000001';
const OTHER = '2c2c2c2c-0000-4000-8000-000000000002';

const spec = (instanceId: string, hour: number, extra: Partial<ReportSpec> = {}): ReportSpec => ({
  instanceId,
  installationId: sha256(`inst-${instanceId}`),
  serviceVersion: '1.2.0',
  startMs: T0 + hour * HOUR,
  endMs: T0 + (hour + 1) * HOUR,
  endpoints: [
    { endpoint: '/clients/:id', durations: [1, 2, 30], bytes: 100 },
    { endpoint: '/clients', method: 'POST', status: 201, durations: [80], bytes: 300 },
  ],
  features: { 'client.created': 1 },
  activities: [{ name: 'login', user: sha256('u1'), count: 2 }],
  ...extra,
});

/** Only one metric of a resource (a series' histograms arriving apart). */
function only(rm: Record<string, unknown>, name: string): Record<string, unknown> {
  const r = rm as { scopeMetrics: { metrics: { name: string }[] }[] };
  return {
    ...r,
    scopeMetrics: r.scopeMetrics.map((s) => ({ ...s, metrics: s.metrics.filter((m) => m.name === name) })),
  };
}

/** The deliveries, in order: each one request. */
function deliveries(): Record<string, unknown>[] {
  const first = resourceMetrics(spec(ID, 0));
  const warm = resourceMetrics({ ...spec(OTHER, 0), installationId: undefined });
  return [
    exportRequest(only(first, 'tracepack.usage.http.duration')),
    exportRequest(warm),
    exportRequest(first), // the whole report after its latency half: sizes fill in, the rest is new
    exportRequest(first), // a retry
    exportRequest(resourceMetrics(spec(OTHER, 1, { serviceVersion: '1.3.0' }))), // identified now
    exportRequest(warm), // the warming-up report again, late: the instance stays identified
    exportRequest(
      only(resourceMetrics(spec(ID, 1)), 'tracepack.usage.http.response.size'),
      keepAlive(ID, T0 + 3 * HOUR),
    ),
    exportRequest(resourceMetrics(spec(ID, 1)), resourceMetrics(spec(ID, 1))), // a batch holding a retry
  ];
}

const TABLES = [
  'installations',
  'instances',
  'reports',
  'endpoint_usage',
  'request_counts',
  'feature_usage',
  'user_activity',
  'runtime_stats',
  'keepalives',
  'privacy_drops',
  'ignored_metrics',
];

/** Every analytical table without its arrival times, sorted: what the two paths must agree on. */
async function contents(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const { rows } = await db.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
    out[table] = rows
      .map((r) => {
        const { received_at: _r, last_received_at: _l, ...rest } = r;
        return JSON.stringify(rest);
      })
      .sort();
  }
  return out;
}

async function fresh(t: { after: (fn: () => unknown) => void }): Promise<Database> {
  const tmp = tempDir('usage-collector-landing-');
  const db = await openDatabase({ dataDir: tmp.dir });
  t.after(async () => {
    await db.close();
    tmp.remove();
  });
  await migrate(db);
  return db;
}

describe('landing table and roll-up', () => {
  it('rolling up many landed requests at once leaves the tables as storing each in turn', async (t) => {
    const direct = await fresh(t);
    const landed = await fresh(t);
    for (const request of deliveries()) {
      const { batch } = ingest(request as never);
      await storeBatch(direct, batch);
      await landBatch(landed, batch);
    }
    assert.equal(
      (await landed.query<{ n: number }>('SELECT count(*)::int AS n FROM landed_reports')).rows[0]!.n,
      8,
      'one landed row per request',
    );
    assert.equal(
      (await landed.query<{ n: number }>('SELECT count(*)::int AS n FROM endpoint_usage')).rows[0]!.n,
      0,
      'nothing in the tables before the roll-up',
    );
    // Three rows per transaction: merges inside a transaction and across transactions both run.
    const result = await rollUpLanded(landed, { wait: true, batchSize: 3 });
    assert.equal(result.landed, 8);
    assert.equal(result.ran, true);
    assert.equal(
      (await landed.query<{ n: number }>('SELECT count(*)::int AS n FROM landed_reports')).rows[0]!.n,
      0,
      'rolled-up rows are deleted',
    );
    const expected = await contents(direct);
    assert.deepEqual(await contents(landed), expected);
    // The cases the deliveries were made for, on the direct path's result.
    const eps = expected['endpoint_usage']!.map(
      (r) => JSON.parse(r as string) as { duration_count: string | number | null; size_count: string | number | null },
    );
    assert.equal(eps.length, 8, '2 series x 2 periods x 2 instances');
    assert.ok(
      eps.every((e) => e.duration_count !== null && e.size_count !== null),
      'both histograms of every series filled',
    );
    const other = expected['instances']!.map(
      (r) => JSON.parse(r as string) as { instance_id: string; identified: boolean; test_reason: string | null },
    ).find((i) => i.instance_id === OTHER)!;
    assert.deepEqual([other.identified, other.test_reason], [true, null]);
  });

  it('all in one transaction, and again with nothing landed: a no-op', async (t) => {
    const direct = await fresh(t);
    const landed = await fresh(t);
    for (const request of deliveries()) {
      const { batch } = ingest(request as never);
      await storeBatch(direct, batch);
      await landBatch(landed, batch);
    }
    assert.equal((await rollUpLanded(landed)).landed, 8);
    assert.deepEqual(await contents(landed), await contents(direct));
    assert.deepEqual(await rollUpLanded(landed), { landed: 0, stored: undefined, ran: true });
  });

  it('rows landed by the previous version (the whole batch as JSON, no columns) roll up among new ones', async (t) => {
    // A collector upgraded while reports are landed: its first roll-up finds rows of 002's form.
    const direct = await fresh(t);
    const landed = await fresh(t);
    let i = 0;
    for (const request of deliveries()) {
      const { batch } = ingest(request as never);
      await storeBatch(direct, batch);
      if (i++ % 2 === 0) await landed.query('INSERT INTO landed_reports (batch) VALUES ($1)', [JSON.stringify(batch)]);
      else await landBatch(landed, batch);
    }
    assert.equal(
      (await landed.query<{ n: number }>('SELECT count(*)::int AS n FROM landed_reports WHERE columns IS NULL'))
        .rows[0]!.n,
      4,
    );
    assert.equal((await rollUpLanded(landed, { batchSize: 5 })).landed, 8);
    assert.deepEqual(await contents(landed), await contents(direct));
  });

  it("a landed row's literals come back as they went, whatever they hold; concatenated literals keep their order", () => {
    const literals = ['{}', '{"a:b","12:x"}', '{NULL,1,2}', '{"\\"\\""}', '{"é😀"}', '', '{"7:"}'];
    assert.deepEqual(splitLiterals(joinLiterals(literals)), literals);
    assert.deepEqual(splitLiterals(''), []);
    assert.throws(() => splitLiterals('3x'), /malformed/);
    assert.throws(() => splitLiterals('5:{a,b}9:{'), /malformed/, 'cut short');
    assert.equal(concatLiterals(['{}', '{a,b}', '{}', '{"c,d"}']), '{a,b,"c,d"}');
    assert.equal(concatLiterals(['{}', '{}']), '{}');
  });

  it('a request with nothing to store lands nothing', async (t) => {
    const db = await fresh(t);
    await landBatch(db, ingest({ resourceMetrics: [] }).batch);
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM landed_reports')).rows[0]!.n, 0);
  });
});
