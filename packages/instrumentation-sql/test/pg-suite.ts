import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { assertSpan, parentSpanId, spanNamed } from '@tracepack/testing';
import type { DatabaseServer, SpanCapture } from '@tracepack/testing';
import type * as Pg from 'pg';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { assertNoSecrets, assertNoValueAttributes, isQuery } from './helpers';

/**
 * The pg behaviours, run against any PostgreSQL-speaking server (PGlite by default, a real
 * PostgreSQL when installed). Instrumentations must be enabled before `pg` was required.
 */
export async function pgSuite(
  t: TestContext,
  pg: typeof Pg,
  capture: SpanCapture,
  server: DatabaseServer,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  try {
    await statements(t, pg, capture, server, pool);
  } finally {
    // Before the caller stops the server: idle clients would report the lost connection.
    await pool.end();
  }
}

async function statements(
  t: TestContext,
  pg: typeof Pg,
  capture: SpanCapture,
  server: DatabaseServer,
  pool: Pg.Pool,
): Promise<void> {
  const table = `clients_${Math.random().toString(36).slice(2, 8)}`;
  await pool.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, client_id text UNIQUE NOT NULL, email text)`);

  const common = {
    'db.system.name': 'postgresql',
    'db.namespace': server.database,
    'server.address': server.host,
    'server.port': server.port,
  };

  await t.test('a parameterized INSERT: one span, statement as written, bound values absent', async () => {
    capture.reset();
    await pool.query(`INSERT INTO ${table} (client_id, email) VALUES ($1, $2)`, [
      'client-secret-1',
      'alice@example.com',
    ]);
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `INSERT ${table}`,
      kind: SpanKind.CLIENT,
      status: SpanStatusCode.UNSET,
      root: true,
      attributes: {
        ...common,
        'db.operation.name': 'INSERT',
        'db.collection.name': table,
        'db.query.text': `INSERT INTO ${table} (client_id, email) VALUES ($1, $2)`,
      },
    });
    assert.equal(capture.spans().length, 1, 'connection spans are off by default');
    assertNoSecrets(capture.spans(), ['client-secret-1', 'alice@example.com']);
    assertNoValueAttributes(capture.spans());
  });

  await t.test('literals written into the SQL are replaced by ?', async () => {
    capture.reset();
    const res = await pool.query(
      `SELECT id, 'tag-secret' AS tag FROM ${table} /* who: ops@example.com */ WHERE email = 'alice@example.com' AND id > 0 AND client_id IN ('client-secret-1', E'it\\'s-secret', $$dollar-secret$$) -- by bob@example.com`,
    );
    assert.equal(res.rowCount, 1);
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `SELECT ${table}`,
      attributes: {
        ...common,
        'db.operation.name': 'SELECT',
        'db.collection.name': table,
        'db.query.text': `SELECT id, ? AS tag FROM ${table} WHERE email = ? AND id > ? AND client_id IN (?, ?, ?)`,
      },
    });
    assertNoSecrets(capture.spans(), [
      'tag-secret',
      'alice@example.com',
      'client-secret-1',
      's-secret',
      'dollar-secret',
      'ops@',
      'bob@',
    ]);
  });

  await t.test('a statement without a table is named after the operation and database', async () => {
    capture.reset();
    await pool.query('SELECT 42 AS answer, TRUE, NULL');
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `SELECT ${server.database}`,
      attributes: {
        'db.query.text': 'SELECT ? AS answer, TRUE, NULL',
        'db.operation.name': 'SELECT',
        'db.collection.name': undefined,
      },
    });
  });

  await t.test('a pool of several clients: concurrent statements, one span each, under the active parent', async () => {
    capture.reset();
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('request');
    const results = await context.with(trace.setSpan(context.active(), parent), () =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          pool.query('SELECT $1::int AS n, $2::text AS label', [i, `label-secret-${i}`]),
        ),
      ),
    );
    parent.end();
    results.forEach((r, i) => assert.deepEqual(r.rows[0], { n: i, label: `label-secret-${i}` }));
    const spans = await capture.waitForSpans(12, isQuery);
    const finishedParent = spanNamed(capture.spans(), 'request');
    for (const span of spans) {
      assertSpan(span, {
        name: `SELECT ${server.database}`,
        parent: finishedParent,
        attributes: { 'db.query.text': 'SELECT $1::int AS n, $2::text AS label' },
      });
    }
    assert.ok(pool.totalCount > 1, `the pool opened several clients (${pool.totalCount})`);
    assertNoSecrets(capture.spans(), ['label-secret-']);
  });

  await t.test('a unique violation: SQLSTATE recorded, the duplicate value nowhere', async () => {
    capture.reset();
    const err: unknown = await pool
      .query(`INSERT INTO ${table} (client_id, email) VALUES ($1, $2)`, ['client-secret-1', 'mallory@example.com'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const pgError = err as { code?: string; detail?: string };
    assert.equal(pgError.code, '23505');
    assert.match(pgError.detail ?? '', /client-secret-1/, 'the server did put the value in the error');
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `INSERT ${table}`,
      status: SpanStatusCode.ERROR,
      attributes: { 'error.type': '23505', 'db.response.status_code': '23505' },
    });
    assert.equal(span.status.message, 'PostgreSQL error 23505');
    assert.equal(span.events.length, 1);
    assert.deepEqual(span.events[0]!.attributes, {
      'exception.type': '23505',
      'exception.message': 'PostgreSQL error 23505',
    });
    assertNoSecrets(capture.spans(), ['client-secret-1', 'mallory@example.com', 'Key (', 'duplicate key']);
  });

  await t.test('an error message quoting a literal (invalid input syntax) leaves no trace of it', async () => {
    capture.reset();
    await assert.rejects(pool.query("SELECT 'not-a-number-secret'::int"), { code: '22P02' });
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      status: SpanStatusCode.ERROR,
      attributes: { 'db.query.text': 'SELECT ?::int', 'error.type': '22P02' },
    });
    assertNoSecrets(capture.spans(), ['not-a-number-secret', 'invalid input']);
  });

  await t.test('callback API and named prepared statements on a checked-out client', async () => {
    const client = await pool.connect();
    try {
      capture.reset();
      const rows = await new Promise<unknown[]>((resolve, reject) =>
        client.query(
          {
            name: 'client-by-email',
            text: `SELECT client_id FROM ${table} WHERE email = $1`,
            values: ['alice@example.com'],
          },
          (err: Error | null, res: Pg.QueryResult) => (err ? reject(err) : resolve(res.rows)),
        ),
      );
      assert.deepEqual(rows, [{ client_id: 'client-secret-1' }]);
      const [span] = await capture.waitForSpans(1, isQuery);
      assertSpan(span, {
        name: `SELECT ${table}`,
        attributes: {
          'db.query.text': `SELECT client_id FROM ${table} WHERE email = $1`,
          'db.postgresql.plan': 'client-by-email',
        },
      });
      assertNoSecrets(capture.spans(), ['alice@example.com']);
    } finally {
      client.release();
    }
  });

  await t.test('a transaction: one span per statement', async () => {
    const client = await pool.connect();
    try {
      capture.reset();
      await client.query('BEGIN');
      await client.query(`UPDATE ${table} SET email = $1 WHERE client_id = $2`, [
        'carol@example.com',
        'client-secret-1',
      ]);
      await client.query('COMMIT');
      const spans = await capture.waitForSpans(3, isQuery);
      assert.deepEqual(
        spans.map((s) => s.name),
        [`BEGIN ${server.database}`, `UPDATE ${table}`, `COMMIT ${server.database}`],
      );
      assertNoSecrets(capture.spans(), ['carol@example.com', 'client-secret-1']);
    } finally {
      client.release();
    }
  });

  await t.test(
    'a pg.Query submitted without a callback: the span ends at its end event, or at its error with the SQLSTATE',
    async () => {
      const client = await pool.connect();
      try {
        capture.reset();
        const rows: unknown[] = [];
        const query = client.query(
          new pg.Query(`SELECT client_id FROM ${table} WHERE email = $1`, ['carol@example.com']),
        );
        query.on('row', (row: unknown) => rows.push(row));
        await once(query, 'end');
        assert.deepEqual(rows, [{ client_id: 'client-secret-1' }]);
        const failing = client.query(new pg.Query("SELECT 'submitted-secret'::int"));
        const [err] = (await once(failing, 'error')) as [{ code?: string }];
        assert.equal(err.code, '22P02');
        const [ok, failed] = await capture.waitForSpans(2, isQuery);
        assertSpan(ok, {
          name: `SELECT ${table}`,
          status: SpanStatusCode.UNSET,
          attributes: { 'db.query.text': `SELECT client_id FROM ${table} WHERE email = $1` },
        });
        assertSpan(failed, {
          status: SpanStatusCode.ERROR,
          attributes: { 'db.query.text': 'SELECT ?::int', 'error.type': '22P02', 'db.response.status_code': '22P02' },
        });
        assertNoSecrets(capture.spans(), ['carol@example.com', 'client-secret-1', 'submitted-secret', 'invalid input']);
      } finally {
        client.release();
      }
    },
  );

  await t.test(
    "a pg.Query holding its own callback, and a { text, callback } config sent twice: one span per call, the app's callback once per call",
    async () => {
      const client = await pool.connect();
      try {
        capture.reset();
        const QueryWithCallback = pg.Query as unknown as new (
          text: string,
          values: unknown[],
          cb: (err: Error | null, res?: Pg.QueryResult) => void,
        ) => Pg.Query;
        const viaQuery = await new Promise<Pg.QueryResult | undefined>((resolve, reject) =>
          client.query(
            new QueryWithCallback('SELECT $1::text AS v', ['query-callback-secret'], (err, res) =>
              err ? reject(err) : resolve(res),
            ),
          ),
        );
        assert.deepEqual(viaQuery?.rows, [{ v: 'query-callback-secret' }]);

        const results: unknown[] = [];
        let signal: () => void = () => undefined;
        const config = {
          text: 'SELECT $1::text AS v',
          values: ['config-callback-secret'],
          callback: (err: Error | null, res?: Pg.QueryResult) => {
            results.push(err ?? res?.rows);
            signal();
          },
        } as unknown as Pg.QueryConfig;
        for (let i = 0; i < 2; i++) {
          const called = new Promise<void>((resolve) => (signal = resolve));
          client.query(config);
          await called;
        }
        assert.deepEqual(results, [[{ v: 'config-callback-secret' }], [{ v: 'config-callback-secret' }]]);
        const spans = await capture.waitForSpans(3, isQuery);
        assert.equal(spans.length, 3);
        for (const span of spans)
          assertSpan(span, { status: SpanStatusCode.UNSET, attributes: { 'db.query.text': 'SELECT $1::text AS v' } });
        assertNoSecrets(capture.spans(), ['query-callback-secret', 'config-callback-secret']);
      } finally {
        client.release();
      }
    },
  );

  await t.test('a full pool: each statement that waited for a client stays the child of its own request', async () => {
    // pg-pool calls a waiting callback when another request releases its client: without care,
    // in that request's context.
    const single = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      capture.reset();
      const tracer = trace.getTracer('test');
      const parents = ['request-a', 'request-b', 'request-c'].map((name) => tracer.startSpan(name));
      await Promise.all(
        parents.map((parent, i) =>
          context.with(trace.setSpan(context.active(), parent), () => single.query('SELECT $1::int AS n', [i])),
        ),
      );
      for (const parent of parents) parent.end();
      assert.equal(single.totalCount, 1, 'one client served all three');
      const queries = await capture.waitForSpans(3, isQuery);
      assert.deepEqual(
        queries.map((q) => parentSpanId(q)).sort(),
        parents.map((p) => p.spanContext().spanId).sort(),
        'one statement under each request',
      );
    } finally {
      await single.end();
    }
  });
}
