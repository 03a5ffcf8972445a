import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { assertSpan, createSpanCapture, freePort, spanNamed, startPglite } from '@tracepack/testing';
import type { DatabaseServer } from '@tracepack/testing';
import type * as Pg from 'pg';
import { createSqlInstrumentations } from '../src';
import type { SqlInstrumentationConfig } from '../src';
import { assertNoSecrets, assertNoValueAttributes } from './helpers';

// Connection spans on (not the default), and requireParentSpan left at its default: true, only
// under a parent span, as bcrypt's.
const capture = createSpanCapture();
const [pgInstrumentation] = createSqlInstrumentations({ connectionSpans: true });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as typeof Pg;

let server: DatabaseServer;
before(async () => {
  server = await startPglite();
});
after(async () => {
  await server.stop();
  await capture.shutdown();
});

test('requireParentSpan (default true): no spans at all without an active parent', async () => {
  assert.equal(pgInstrumentation.getConfig().requireParentSpan, true);
  capture.reset();
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  await pool.query('SELECT 1');
  await pool.end();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(capture.spans(), []);
});

test('a job that wants its queries traced wraps its work in a span (the README example)', async () => {
  capture.reset();
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  // The README's three lines:
  const tracer = trace.getTracer('nightly-cleanup');
  await tracer.startActiveSpan('cleanup expired sessions', async (span) => {
    try {
      await pool.query('SELECT 1 AS done');
    } finally {
      span.end();
    }
  });
  await pool.end();
  const spans = await capture.waitForSpans(2, (s) => s.name !== 'pg.connect' && s.name !== 'pg-pool.connect');
  const job = spanNamed(spans, 'cleanup expired sessions');
  assertSpan(spanNamed(spans, 'SELECT postgres'), { parent: job, attributes: { 'db.query.text': 'SELECT ? AS done' } });
});

test('connectionSpans: pg-pool.connect and pg.connect spans under the parent, then the statement', async () => {
  capture.reset();
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  const parent = trace.getTracer('test').startSpan('request');
  await context.with(trace.setSpan(context.active(), parent), () =>
    pool.query('SELECT $1::text AS v', ['pool-secret']),
  );
  parent.end();
  await pool.end();
  const spans = capture.spans();
  const byName = (name: string) => spans.find((s) => s.name === name);
  const poolConnect = byName('pg-pool.connect');
  const connect = byName('pg.connect');
  const query = byName('SELECT postgres');
  const request = byName('request');
  assertSpan(request, { root: true });
  assertSpan(poolConnect, {
    parent: request,
    attributes: {
      'db.system.name': 'postgresql',
      'server.address': server.host,
      'server.port': server.port,
      'db.namespace': 'postgres',
    },
  });
  assertSpan(connect, {
    parent: poolConnect,
    attributes: { 'db.system.name': 'postgresql', 'server.port': server.port },
  });
  assertSpan(query, { parent: request, attributes: { 'db.query.text': 'SELECT $1::text AS v' } });
  assertNoSecrets(spans, ['pool-secret']);
});

test("callback forms: pool.connect(cb) and its client: the callback runs in the caller's context, not the connect span's", async () => {
  capture.reset();
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  const parent = trace.getTracer('test').startSpan('request');
  await context.with(
    trace.setSpan(context.active(), parent),
    () =>
      new Promise<void>((resolve, reject) =>
        pool.connect((err, client, release) => {
          if (err || !client) return reject(err ?? new Error('no client'));
          client.query('SELECT $1::text AS v', ['callback-secret'], (queryErr) => {
            release();
            if (queryErr) reject(queryErr);
            else resolve();
          });
        }),
      ),
  );
  parent.end();
  await pool.end();
  const spans = capture.spans();
  const request = spanNamed(spans, 'request');
  const poolConnect = spanNamed(spans, 'pg-pool.connect');
  assertSpan(poolConnect, { parent: request, status: SpanStatusCode.UNSET });
  assertSpan(spanNamed(spans, 'pg.connect'), { parent: poolConnect });
  assertSpan(spanNamed(spans, 'SELECT postgres'), {
    parent: request,
    attributes: { 'db.query.text': 'SELECT $1::text AS v' },
  });
  assertNoSecrets(spans, ['callback-secret']);
});

test('a failed connection: pg.connect span with the error code and a fixed message', async () => {
  capture.reset();
  const parent = trace.getTracer('test').startSpan('request');
  const client = new pg.Client({
    host: '127.0.0.1',
    port: await freePort(),
    user: 'postgres',
    password: 'password-secret',
    database: 'postgres',
  });
  await context.with(trace.setSpan(context.active(), parent), () =>
    assert.rejects(client.connect(), { code: 'ECONNREFUSED' }),
  );
  parent.end();
  const connect = capture.spans().find((s) => s.name === 'pg.connect');
  assertSpan(connect, { status: SpanStatusCode.ERROR, attributes: { 'error.type': 'ECONNREFUSED' } });
  assert.equal(connect.status.message, 'PostgreSQL error ECONNREFUSED');
  assertNoSecrets(capture.spans(), ['password-secret']);
});

test('setConfig cannot turn on the recording of bound values (enhancedDatabaseReporting is refused)', async () => {
  const before = pgInstrumentation.getConfig();
  assert.throws(
    () => pgInstrumentation.setConfig({ ...before, enhancedDatabaseReporting: true } as SqlInstrumentationConfig),
    {
      name: 'TracepackTypeError',
      code: 'TRACEPACK_SQL_UNKNOWN_OPTION',
    },
  );
  assert.deepEqual(pgInstrumentation.getConfig(), before, 'the previous options stay');
  capture.reset();
  const client = new pg.Client(server.url);
  const parent = trace.getTracer('test').startSpan('request');
  await context.with(trace.setSpan(context.active(), parent), async () => {
    await client.connect();
    await client.query('SELECT $1::text AS v', ['bound-secret']);
  });
  parent.end();
  await client.end();
  assertSpan(
    capture.spans().find((s) => s.name === 'SELECT postgres'),
    { attributes: { 'db.query.text': 'SELECT $1::text AS v' } },
  );
  assertNoValueAttributes(capture.spans());
  assertNoSecrets(capture.spans(), ['bound-secret']);
});
