import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { assertSpan, createSpanCapture, parentSpanId, spanNamed, startMariadb } from '@tracepack/testing';
import type { DatabaseServer } from '@tracepack/testing';
import type * as Mysql2Promise from 'mysql2/promise';
import type * as Mysql2 from 'mysql2';
import { createSqlInstrumentations } from '../src';
import { assertNoSecrets, assertNoValueAttributes, isQuery, startOrSkip } from './helpers';

const capture = createSpanCapture();
// Statements outside any span are traced here (requireParentSpan: false): these suites look at
// the statements themselves. The default (true: only under a parent) is tested in options.test.ts.
const instrumentations = createSqlInstrumentations({ requireParentSpan: false });
/* eslint-disable @typescript-eslint/no-require-imports */
const mysql = require('mysql2/promise') as typeof Mysql2Promise;
const mysqlCallbacks = require('mysql2') as typeof Mysql2;
/* eslint-enable @typescript-eslint/no-require-imports */

after(() => capture.shutdown());

test('mysql2 against a real MariaDB (TRACEPACK_TEST_MYSQL_URL or mariadbd)', async (t) => {
  const server = await startOrSkip(t, startMariadb);
  if (!server) return;
  t.after(() => server.stop());
  const pool = mysql.createPool({ uri: server.url, connectionLimit: 4 });
  try {
    await statements(t, server, pool);
  } finally {
    await pool.end(); // before the server stops
  }
});

async function statements(t: TestContext, server: DatabaseServer, pool: Mysql2Promise.Pool): Promise<void> {
  const table = `clients_${Math.random().toString(36).slice(2, 8)}`;
  await pool.query(
    `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, client_id VARCHAR(64) NOT NULL UNIQUE, email VARCHAR(128))`,
  );
  const common = {
    'db.system.name': 'mysql',
    'db.namespace': server.database,
    'server.address': server.host,
    'server.port': server.port,
  };

  await t.test(
    'query() with ? values: the statement as written, never with the values mysql2 formats into it on the client',
    async () => {
      capture.reset();
      await pool.query(`INSERT INTO ${table} (client_id, email) VALUES (?, ?)`, [
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
          'db.query.text': `INSERT INTO ${table} (client_id, email) VALUES (?, ?)`,
        },
      });
      assertNoSecrets(capture.spans(), ['client-secret-1', 'alice@example.com']);
      assertNoValueAttributes(capture.spans());
    },
  );

  await t.test('execute() (prepared statement) with values', async () => {
    capture.reset();
    const [rows] = await pool.execute(`SELECT client_id FROM ${table} WHERE email = ?`, ['alice@example.com']);
    assert.deepEqual(rows, [{ client_id: 'client-secret-1' }]);
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `SELECT ${table}`,
      attributes: { ...common, 'db.query.text': `SELECT client_id FROM ${table} WHERE email = ?` },
    });
    assertNoSecrets(capture.spans(), ['alice@example.com', 'client-secret-1']);
  });

  await t.test('literals in the SQL: quotes, "strings", backslash escapes, hex, numbers, comments', async () => {
    capture.reset();
    const [rows] = await pool.query(
      `SELECT id FROM \`${table}\` WHERE email = "alice@example.com" AND client_id <> 'it\\'s-secret' AND id > 0 AND x'c0ffee' <> 0x01 # by bob@example.com\n LIMIT 10`,
    );
    assert.equal((rows as unknown[]).length, 1);
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `SELECT \`${table}\``,
      attributes: {
        'db.query.text': `SELECT id FROM \`${table}\` WHERE email = ? AND client_id <> ? AND id > ? AND ? <> ? LIMIT ?`,
      },
    });
    assertNoSecrets(capture.spans(), ['alice@example.com', 's-secret', 'bob@', 'c0ffee']);
  });

  await t.test('a duplicate key: error number and code recorded, the duplicate value nowhere', async () => {
    capture.reset();
    const err = await pool
      .query(`INSERT INTO ${table} (client_id, email) VALUES (?, ?)`, ['client-secret-1', 'mallory@example.com'])
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
    assert.equal(err?.code, 'ER_DUP_ENTRY');
    assert.match(err?.message ?? '', /client-secret-1/, 'the server did put the value in the error');
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, {
      name: `INSERT ${table}`,
      status: SpanStatusCode.ERROR,
      attributes: { 'error.type': 'ER_DUP_ENTRY', 'db.response.status_code': '1062' },
    });
    assert.equal(span.status.message, 'MySQL error ER_DUP_ENTRY (1062)');
    assert.deepEqual(
      span.events.map((e) => e.attributes),
      [{ 'exception.type': 'ER_DUP_ENTRY', 'exception.message': 'MySQL error ER_DUP_ENTRY (1062)' }],
    );
    assertNoSecrets(capture.spans(), ['client-secret-1', 'mallory@example.com', 'Duplicate entry']);
  });

  await t.test('callback API on a single connection', async () => {
    const connection = mysqlCallbacks.createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database,
    });
    try {
      capture.reset();
      await new Promise<void>((resolve, reject) =>
        connection.query(
          `UPDATE ${table} SET email = ? WHERE client_id = 'client-secret-1'`,
          ['carol@example.com'],
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      const [span] = await capture.waitForSpans(1, isQuery);
      assertSpan(span, {
        name: `UPDATE ${table}`,
        attributes: { 'db.query.text': `UPDATE ${table} SET email = ? WHERE client_id = ?` },
      });
      assertNoSecrets(capture.spans(), ['carol@example.com', 'client-secret-1']);
    } finally {
      connection.end();
    }
  });

  await t.test('requireParentSpan (set at runtime): spans only under a parent', async (st) => {
    const mysqlInstrumentation = instrumentations[1];
    mysqlInstrumentation.setConfig({ requireParentSpan: true });
    st.after(() => mysqlInstrumentation.setConfig({ requireParentSpan: false }));
    capture.reset();
    await pool.query('SELECT 1');
    assert.deepEqual(capture.spans(), [], 'no span without a parent');
    const parent = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () => pool.query(`SELECT 'v-secret' AS v`));
    parent.end();
    const query = (await capture.waitForSpans(1, isQuery))[0];
    assertSpan(query, {
      parent: spanNamed(capture.spans(), 'request'),
      attributes: { 'db.query.text': 'SELECT ? AS v' },
    });
    // setConfig cannot turn the masking off.
    assertNoSecrets(capture.spans(), ['v-secret']);
  });

  await t.test(
    'bound true, NULL and numbers: the statement as written, never with the values mysql2 formats into it',
    async () => {
      capture.reset();
      const [rows] = await pool.query('SELECT ? AS flag, ? AS nothing, ? AS n', [true, null, 987654]);
      assert.deepEqual(rows, [{ flag: 1, nothing: null, n: 987654 }]);
      const [span] = await capture.waitForSpans(1, isQuery);
      // The text mysql2 sends is `SELECT true AS flag, NULL AS nothing, 987654 AS n`.
      assertSpan(span, {
        name: `SELECT ${server.database}`,
        attributes: { 'db.query.text': 'SELECT ? AS flag, ? AS nothing, ? AS n' },
      });
      assertNoSecrets(capture.spans(), ['NULL', '987654']);
    },
  );

  await t.test(
    'statements without values, as an event emitter (no callback): the span ends at end, or at error with its codes',
    async () => {
      const connection = mysqlCallbacks.createConnection({ uri: server.url });
      try {
        capture.reset();
        const results: unknown[] = [];
        const query = connection.query(`SELECT COUNT(*) AS n FROM ${table}`);
        query.on('result', (row: unknown) => results.push(row));
        await once(query, 'end');
        assert.deepEqual(results, [{ n: 1 }]);
        const failing = connection.query("SELECT * FROM no_such_table WHERE a = 'emitter-secret'");
        const [err] = (await once(failing, 'error')) as [{ code?: string }];
        assert.equal(err.code, 'ER_NO_SUCH_TABLE');
        const [ok, failed] = await capture.waitForSpans(2, isQuery);
        assertSpan(ok, {
          name: `SELECT ${table}`,
          status: SpanStatusCode.UNSET,
          attributes: { 'db.query.text': `SELECT COUNT(*) AS n FROM ${table}` },
        });
        assertSpan(failed, {
          name: 'SELECT no_such_table',
          status: SpanStatusCode.ERROR,
          attributes: {
            'db.query.text': 'SELECT * FROM no_such_table WHERE a = ?',
            'error.type': 'ER_NO_SUCH_TABLE',
            'db.response.status_code': '1146',
          },
        });
        assertNoSecrets(capture.spans(), ['emitter-secret', "doesn't exist"]);
      } finally {
        connection.end();
      }
    },
  );

  await t.test(
    'execute() with a callback on a single connection, and one whose statement fails to prepare',
    async () => {
      const connection = mysqlCallbacks.createConnection({ uri: server.url });
      try {
        capture.reset();
        await new Promise<void>((resolve, reject) =>
          connection.execute(`SELECT id FROM ${table} WHERE client_id = ?`, ['client-secret-1'], (err) =>
            err ? reject(err) : resolve(),
          ),
        );
        const err = await new Promise<{ code?: string }>((resolve) =>
          connection.execute('SELECT * FROM no_such_table WHERE a = ?', ['prepare-secret'], (e) =>
            resolve(e as { code?: string }),
          ),
        );
        assert.equal(err.code, 'ER_NO_SUCH_TABLE');
        const [ok, failed] = await capture.waitForSpans(2, isQuery);
        assertSpan(ok, {
          name: `SELECT ${table}`,
          status: SpanStatusCode.UNSET,
          attributes: { 'db.query.text': `SELECT id FROM ${table} WHERE client_id = ?` },
        });
        assertSpan(failed, {
          status: SpanStatusCode.ERROR,
          attributes: { 'error.type': 'ER_NO_SUCH_TABLE', 'db.response.status_code': '1146' },
        });
        assertNoSecrets(capture.spans(), ['client-secret-1', 'prepare-secret']);
      } finally {
        connection.end();
      }
    },
  );

  await t.test(
    'the promise API on a single connection (mysql2/promise createConnection): query, execute, a duplicate key',
    async () => {
      const connection = await mysql.createConnection({ uri: server.url });
      try {
        capture.reset();
        await connection.query(`SELECT email FROM ${table} WHERE client_id = ?`, ['client-secret-1']);
        const err = await connection
          .execute(`INSERT INTO ${table} (client_id, email) VALUES (?, ?)`, ['client-secret-1', 'dave@example.com'])
          .then(
            () => undefined,
            (e: unknown) => e as { code?: string },
          );
        assert.equal(err?.code, 'ER_DUP_ENTRY');
        const [query, insert] = await capture.waitForSpans(2, isQuery);
        assertSpan(query, {
          name: `SELECT ${table}`,
          attributes: { ...common, 'db.query.text': `SELECT email FROM ${table} WHERE client_id = ?` },
        });
        assertSpan(insert, {
          name: `INSERT ${table}`,
          status: SpanStatusCode.ERROR,
          attributes: { 'error.type': 'ER_DUP_ENTRY', 'db.response.status_code': '1062' },
        });
        assert.equal(insert.status.message, 'MySQL error ER_DUP_ENTRY (1062)');
        assertNoSecrets(capture.spans(), ['client-secret-1', 'dave@example.com', 'Duplicate entry']);
      } finally {
        await connection.end();
      }
    },
  );

  await t.test(
    'a full pool: each statement that waited for a connection stays the child of its own request',
    async () => {
      // mysql2 calls a waiting getConnection callback when another request releases its
      // connection: without care, in that request's context.
      const single = mysql.createPool({ uri: server.url, connectionLimit: 1 });
      try {
        capture.reset();
        const tracer = trace.getTracer('test');
        const parents = ['request-a', 'request-b', 'request-c'].map((name) => tracer.startSpan(name));
        await Promise.all(
          parents.map((parent, i) =>
            context.with(trace.setSpan(context.active(), parent), () => single.query('SELECT ? AS n', [i])),
          ),
        );
        for (const parent of parents) parent.end();
        const queries = await capture.waitForSpans(3, isQuery);
        assert.deepEqual(
          queries.map((q) => parentSpanId(q)).sort(),
          parents.map((p) => p.spanContext().spanId).sort(),
          'one statement under each request',
        );
      } finally {
        await single.end();
      }
    },
  );
}
