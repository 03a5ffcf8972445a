import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { assertSpan, createSpanCapture, spanNamed, startMariadb } from '@tracepack/testing';
import type { DatabaseServer } from '@tracepack/testing';
import type * as Mysql2Promise from 'mysql2/promise';
import type * as Mysql2 from 'mysql2';
import { createSqlInstrumentations } from '../src';
import type { SanitizedMySQL2Instrumentation } from '../src';
import { assertNoSecrets, assertNoValueAttributes, isQuery, startOrSkip } from './helpers';

const capture = createSpanCapture();
const instrumentations = createSqlInstrumentations();
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
  await pool.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, client_id VARCHAR(64) NOT NULL UNIQUE, email VARCHAR(128))`);
  const common = {
    'db.system.name': 'mysql',
    'db.namespace': server.database,
    'server.address': server.host,
    'server.port': server.port,
  };

  await t.test('query() with ? values: the values are not formatted into db.query.text (upstream default)', async () => {
    capture.reset();
    await pool.query(`INSERT INTO ${table} (client_id, email) VALUES (?, ?)`, ['client-secret-1', 'alice@example.com']);
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
  });

  await t.test('execute() (prepared statement) with values', async () => {
    capture.reset();
    const [rows] = await pool.execute(`SELECT client_id FROM ${table} WHERE email = ?`, ['alice@example.com']);
    assert.deepEqual(rows, [{ client_id: 'client-secret-1' }]);
    const [span] = await capture.waitForSpans(1, isQuery);
    assertSpan(span, { name: `SELECT ${table}`, attributes: { ...common, 'db.query.text': `SELECT client_id FROM ${table} WHERE email = ?` } });
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
      attributes: { 'db.query.text': `SELECT id FROM \`${table}\` WHERE email = ? AND client_id <> ? AND id > ? AND ? <> ? LIMIT ?` },
    });
    assertNoSecrets(capture.spans(), ['alice@example.com', 's-secret', 'bob@', 'c0ffee']);
  });

  await t.test('a duplicate key: error number and code recorded, the duplicate value nowhere', async () => {
    capture.reset();
    const err = await pool.query(`INSERT INTO ${table} (client_id, email) VALUES (?, ?)`, ['client-secret-1', 'mallory@example.com']).then(
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
    const connection = mysqlCallbacks.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    try {
      capture.reset();
      await new Promise<void>((resolve, reject) =>
        connection.query(`UPDATE ${table} SET email = ? WHERE client_id = 'client-secret-1'`, ['carol@example.com'], (err) => (err ? reject(err) : resolve())),
      );
      const [span] = await capture.waitForSpans(1, isQuery);
      assertSpan(span, { name: `UPDATE ${table}`, attributes: { 'db.query.text': `UPDATE ${table} SET email = ? WHERE client_id = ?` } });
      assertNoSecrets(capture.spans(), ['carol@example.com', 'client-secret-1']);
    } finally {
      connection.end();
    }
  });

  await t.test('requireParentSpan (set at runtime): spans only under a parent', async (st) => {
    const mysqlInstrumentation = instrumentations[1] as SanitizedMySQL2Instrumentation;
    mysqlInstrumentation.setConfig({ requireParentSpan: true } as object);
    st.after(() => mysqlInstrumentation.setConfig({}));
    capture.reset();
    await pool.query('SELECT 1');
    assert.deepEqual(capture.spans(), [], 'no span without a parent');
    const parent = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () => pool.query(`SELECT 'v-secret' AS v`));
    parent.end();
    const query = (await capture.waitForSpans(1, isQuery))[0];
    assertSpan(query, { parent: spanNamed(capture.spans(), 'request'), attributes: { 'db.query.text': 'SELECT ? AS v' } });
    // setConfig cannot turn the masking off.
    assertNoSecrets(capture.spans(), ['v-secret']);
  });
}
