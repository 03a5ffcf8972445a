// disable() / enable() of the instrumentations, and a tracer that fails: the application's
// statements run, and answer, the same either way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSpanCapture, startMariadb, startPglite } from '@tracepack/testing';
import type { DatabaseServer } from '@tracepack/testing';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import type * as Pg from 'pg';
import type * as Mysql2Promise from 'mysql2/promise';
import { createSqlInstrumentations } from '../src';
import { isQuery, startOrSkip } from './helpers';

const capture = createSpanCapture();
// Statements outside any span are traced here (requireParentSpan: false): these suites look at
// the statements themselves. The default (true: only under a parent) is tested in
// options.test.ts and connection-spans.test.ts.
const [pgInstrumentation, mysqlInstrumentation] = createSqlInstrumentations({ requireParentSpan: false });
/* eslint-disable @typescript-eslint/no-require-imports */
const pg = require('pg') as typeof Pg;
const mysql = require('mysql2/promise') as typeof Mysql2Promise;
/* eslint-enable @typescript-eslint/no-require-imports */

let server: DatabaseServer;
before(async () => {
  server = await startPglite();
});
after(async () => {
  await server.stop();
  await capture.shutdown();
});

test('disable() unpatches pg: no spans, same results; enable() patches it again', async (t) => {
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  t.after(() => pool.end());
  t.after(() => pgInstrumentation.enable());

  pgInstrumentation.disable();
  capture.reset();
  assert.deepEqual((await pool.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(capture.spans(), [], 'no span while disabled');

  pgInstrumentation.enable();
  assert.deepEqual((await pool.query('SELECT 2 AS two')).rows, [{ two: 2 }]);
  const [span] = await capture.waitForSpans(1, isQuery);
  assert.equal(span?.attributes['db.query.text'], 'SELECT ? AS two');
});

/** A tracer provider whose tracer throws: a broken exporter pipeline, a bad custom sampler. */
const failingProvider: TracerProvider = {
  getTracer: (): Tracer =>
    ({
      startSpan: () => {
        throw new Error('tracer failure');
      },
      startActiveSpan: () => {
        throw new Error('tracer failure');
      },
    }) as Tracer,
};

test('a tracer that throws: every pg call form still works and answers; the problem is logged once, counted, not thrown', async (t) => {
  const warnings: string[] = [];
  diag.setLogger(
    { error() {}, warn: (m: string) => void warnings.push(m), info() {}, debug() {}, verbose() {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  t.after(() => diag.disable());
  pgInstrumentation.setTracerProvider(failingProvider);
  t.after(() => pgInstrumentation.setTracerProvider(capture.provider));
  const before = pgInstrumentation.tracingProblemCount;
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  t.after(() => pool.end());

  assert.deepEqual((await pool.query('SELECT $1::int AS n', [7])).rows, [{ n: 7 }]);
  const viaCallback = await new Promise<unknown[]>((resolve, reject) =>
    pool.query('SELECT 8 AS n', (err, res) => (err ? reject(err) : resolve(res.rows))),
  );
  assert.deepEqual(viaCallback, [{ n: 8 }]);
  await assert.rejects(pool.query("SELECT 'x'::int"), { code: '22P02' });
  assert.ok(
    pgInstrumentation.tracingProblemCount >= before + 3,
    `problems counted: ${pgInstrumentation.tracingProblemCount - before}`,
  );
  // One line for the kind of problem (@tracepack/core's ProblemReporter), not one per statement;
  // the error's class only, never its message.
  assert.deepEqual(
    warnings.filter((w) => w.startsWith('@tracepack/instrumentation-sql')),
    [
      '@tracepack/instrumentation-sql: starting a statement span failed (Error); the application is not affected. Further occurrences are counted, not logged.',
    ],
  );
});

test('a tracer that throws: mysql2 still works and answers', async (t) => {
  const mariadb = await startOrSkip(t, startMariadb);
  if (!mariadb) return;
  t.after(() => mariadb.stop());
  mysqlInstrumentation.setTracerProvider(failingProvider);
  t.after(() => mysqlInstrumentation.setTracerProvider(capture.provider));
  const before = mysqlInstrumentation.tracingProblemCount;
  const pool = mysql.createPool({ uri: mariadb.url, connectionLimit: 1 });
  try {
    const [rows] = await pool.query('SELECT ? AS n', [9]);
    assert.deepEqual(rows, [{ n: 9 }]);
    await assert.rejects(pool.execute('SELECT * FROM no_such_table'), { code: 'ER_NO_SUCH_TABLE' });
  } finally {
    await pool.end();
  }
  assert.ok(mysqlInstrumentation.tracingProblemCount >= before + 2);
});
