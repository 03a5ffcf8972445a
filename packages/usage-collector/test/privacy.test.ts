// Defence in depth: reports carrying what @tracepack/usage never sends (raw e-mails, tokens,
// JWTs, IP addresses, random ids in attributes and endpoint segments) are stored without
// them; every table is dumped and searched. And attribute strings holding SQL are data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startUsageCollector, type UsageCollector } from '../src/index';
import { count, dumpTables, exportRequest, resourceMetrics, send, sha256, tempDir } from './helpers';

const T0 = Date.UTC(2026, 1, 1);
const HOUR = 3_600_000;

describe('privacy: canaries never reach a table', () => {
  let collector: UsageCollector;
  const tmp = tempDir('usage-collector-privacy-');
  before(async () => {
    // No roll-up timer: the landing table is checked while it holds the report.
    collector = await startUsageCollector({
      port: 0,
      dataDir: tmp.dir,
      env: {},
      logger: () => undefined,
      rollupIntervalMs: 0,
    });
  });
  after(async () => {
    await collector.close();
    tmp.remove();
  });

  const c = {
    email: 'canary.person@example.com',
    emailEncoded: 'canary.encoded%40example.org',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiJqd3QifQ.Q2FuYXJ5U2lnbmF0dXJl',
    bearer: 'Bearer canaryTokenValue123',
    ghToken: 'ghp_CanaryCanaryCanary1234567890abcd',
    ipv4: '203.0.113.77',
    ipv6: '2001:db8:cafe::77',
    random: 'Zq81CanaryRandomKx29pLw',
    uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  };
  // What is searched for in the dump: each canary, and its distinctive part.
  const needles = [
    ...Object.values(c),
    'canary.person',
    'canary.encoded',
    'canaryTokenValue123',
    'CanaryCanaryCanary',
    '203.0.113.77',
    'cafe::77',
    'Q2FuYXJ5U2lnbmF0dXJl',
    'Zq81CanaryRandomKx29pLw',
    '7c9e6679',
  ];

  for (const wire of ['protobuf', 'json'] as const) {
    it(`stores a report full of canaries (${wire}) without any of them, and counts what it dropped by kind`, async () => {
      const instanceId =
        wire === 'json' ? '0a0a0a0a-0000-4000-8000-000000000001' : '0a0a0a0a-0000-4000-8000-000000000002';
      const report = resourceMetrics({
        instanceId,
        installationId: sha256(`privacy-${wire}`),
        startMs: T0,
        endMs: T0 + HOUR,
        resource: {
          'service.name': c.email,
          'service.version': c.ipv4,
          'deployment.environment.name': c.jwt,
          'process.runtime.version': c.ipv6,
          'vcs.ref.head.revision': c.random,
          'client.address': c.ipv4, // not a key the collector reads: counted as (other)
          'http.request.header.authorization': c.bearer,
        },
        endpoints: [
          { endpoint: `/users/${c.email}/orders`, durations: [1, 2] },
          { endpoint: `/users/${c.emailEncoded}`, durations: [1] },
          { endpoint: `/ip/${c.ipv4}`, durations: [3] },
          { endpoint: `/ip6/${c.ipv6}`, durations: [3] },
          { endpoint: `/auth/${encodeURIComponent(c.bearer)}`, durations: [4] },
          { endpoint: `/t/${c.jwt}`, durations: [5] },
          { endpoint: `/files/${c.uuid}`, durations: [6] },
          { endpoint: `/q?token=${c.ghToken}&id=${c.random}`, durations: [7] },
          { endpoint: '/clients/:id', method: c.email, durations: [8], attributes: { 'user.email': c.email } },
        ],
        features: { [c.email]: 1, 'client.created': 2 },
        activities: [
          { name: 'login', user: c.email, org: c.ipv4, count: 1 },
          { name: c.jwt, count: 1 },
        ],
        extraMetrics: [
          {
            name: `signups.${c.email}`,
            sum: {
              aggregationTemporality: 1,
              dataPoints: [{ timeUnixNano: String(BigInt(T0) * 1_000_000n), asInt: '1' }],
            },
          },
        ],
      });
      const res = await send(collector.url, exportRequest(report), wire);
      assert.equal(res.status, 200);

      // Acknowledged means landed: the landing table holds the report, already filtered.
      const landed = await dumpTables(collector.database);
      assert.ok(landed['landed_reports']!.includes(instanceId), 'the report is landed, not rolled up yet');
      for (const [table, text] of Object.entries(landed)) {
        for (const needle of needles)
          assert.equal(text.includes(needle), false, `table ${table} holds ${needle} (landed)`);
      }
      await collector.rollUp();
      const dump = await dumpTables(collector.database);
      assert.equal(dump['landed_reports'], '[]', 'the roll-up empties the landing table');
      for (const [table, text] of Object.entries(dump)) {
        for (const needle of needles) assert.equal(text.includes(needle), false, `table ${table} holds ${needle}`);
      }

      // What was kept: the report, with the dropped segments marked.
      const eps = (
        await collector.database.query<{ endpoint: string; method: string }>(
          'SELECT endpoint, method FROM endpoint_usage WHERE instance_id = $1 ORDER BY endpoint',
          [instanceId],
        )
      ).rows;
      assert.deepEqual(eps.map((e) => `${e.method} ${e.endpoint}`).sort(), [
        'GET /auth/:dropped',
        'GET /files/:dropped',
        'GET /ip/:dropped',
        'GET /ip6/:dropped',
        'GET /q?token=:dropped&id=:dropped',
        'GET /t/:dropped',
        'GET /users/:dropped',
        'GET /users/:dropped/orders',
        '_OTHER /clients/:id',
      ]);
      const inst = (
        await collector.database.query<Record<string, unknown>>('SELECT * FROM instances WHERE instance_id = $1', [
          instanceId,
        ])
      ).rows[0]!;
      assert.deepEqual(
        [inst.service_name, inst.service_version, inst.deployment_environment, inst.runtime_version, inst.git_revision],
        [null, null, null, null, null],
      );
      assert.equal(inst.os_type, 'linux', 'the rest of the identity is kept');
      assert.equal(
        await count(collector.database, 'feature_usage', "instance_id = $1 AND feature = 'client.created'", [
          instanceId,
        ]),
        1,
      );
      const act = (
        await collector.database.query<{ activity: string; user_hash: string; org_hash: string }>(
          'SELECT activity, user_hash, org_hash FROM user_activity WHERE instance_id = $1',
          [instanceId],
        )
      ).rows;
      assert.deepEqual(act, [{ activity: 'login', user_hash: '', org_hash: '' }]);
      assert.deepEqual(
        (
          await collector.database.query('SELECT metric, data_points FROM ignored_metrics WHERE instance_id = $1', [
            instanceId,
          ])
        ).rows,
        [{ metric: '(invalid)', data_points: 1 }],
      );

      const drops = (
        await collector.database.query<{ kind: string; attribute: string; dropped: number }>(
          'SELECT kind, attribute, dropped FROM privacy_drops WHERE instance_id = $1 ORDER BY kind, attribute',
          [instanceId],
        )
      ).rows;
      const byKind = new Map<string, number>();
      for (const d of drops) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + d.dropped);
      // Endpoint segments count per series (duration and size histograms: 2 points each).
      assert.deepEqual(Object.fromEntries([...byKind].sort()), {
        bearer_token: 1 + 2 + 2, // header attribute; /auth segment; ghp_ token in the query
        email: 1 + 2 + 2 + 2 + 1 + 2 + 1 + 1, // service.name; the two /users series (2 points each); method (2 histogram points, 1 request count); user.email; feature; activity user
        ipv4: 1 + 1 + 2 + 1, // service.version; client.address; /ip; activity org
        ipv6: 1 + 2, // runtime version; /ip6
        jwt: 1 + 2 + 1, // deployment environment; /t; activity name
        random_string: 1 + 2 + 2, // git revision; /files uuid; id= in the query
      });
      assert.ok(
        drops.some((d) => d.attribute === '(other)' && d.kind === 'ipv4'),
        'an attribute the collector does not read is counted as (other)',
      );
      assert.ok(drops.some((d) => d.attribute === 'tracepack.usage.endpoint' && d.kind === 'email'));

      // Delivered again: the drops are counted once, as the report is stored once.
      assert.equal((await send(collector.url, exportRequest(report), wire)).status, 200);
      await collector.rollUp();
      const again = (
        await collector.database.query<{ n: number }>(
          'SELECT sum(dropped)::int AS n FROM privacy_drops WHERE instance_id = $1',
          [instanceId],
        )
      ).rows[0]!.n;
      assert.equal(
        again,
        [...byKind.values()].reduce((a, b) => a + b, 0),
      );
    });
  }

  it('stores attribute strings holding SQL as data (parameterized statements only)', async () => {
    const instanceId = '0a0a0a0a-0000-4000-8000-000000000003';
    const sqlName = `x'); DROP TABLE instances; --`;
    const sqlVersion = `1.0' OR '1'='1`;
    const sqlSegment = `'; DELETE FROM endpoint_usage; --`;
    const jsonBreak = `"}], "instances": [{"instance_id": "x"}], "x": [{"a": "\\\\`;
    const res = await send(
      collector.url,
      exportRequest(
        resourceMetrics({
          instanceId,
          installationId: sha256('sql'),
          startMs: T0 + 2 * HOUR,
          endMs: T0 + 3 * HOUR,
          resource: {
            'service.name': sqlName,
            'service.version': sqlVersion,
            'deployment.environment.name': jsonBreak,
          },
          endpoints: [{ endpoint: `/x/${sqlSegment}`, durations: [1] }],
        }),
      ),
      'json',
    );
    assert.equal(res.status, 200);
    await collector.rollUp();
    const inst = (
      await collector.database.query<Record<string, unknown>>(
        'SELECT service_name, service_version, deployment_environment FROM instances WHERE instance_id = $1',
        [instanceId],
      )
    ).rows[0]!;
    assert.deepEqual(inst, { service_name: sqlName, service_version: sqlVersion, deployment_environment: jsonBreak });
    assert.equal(await count(collector.database, 'endpoint_usage', 'endpoint = $1', [`/x/${sqlSegment}`]), 1);
    assert.equal(
      await count(collector.database, 'instances', "instance_id = '00000000-0000-4000-8000-000000000000'"),
      0,
    );
    assert.ok((await count(collector.database, 'endpoint_usage')) > 1, 'nothing deleted');
    assert.ok((await count(collector.database, 'instances')) >= 3, 'nothing dropped');
  });
});
