// Sanitizing happens before the span starts: a span processor's onStart (where samplers,
// processors and live views first see a span) already gets the final name and the sanitized
// statement, and nothing is renamed or rewritten afterwards.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { createSpanCapture, startMariadb, startPglite } from '@tracepack/testing';
import type * as Pg from 'pg';
import type * as Mysql2Promise from 'mysql2/promise';
import { createSqlInstrumentations } from '../src';
import { isQuery, startOrSkip } from './helpers';

const capture = createSpanCapture();
const atStart = new Map<string, { name: string; attributes: Attributes }>();
const startRecorder: SpanProcessor = {
  onStart: (span) =>
    void atStart.set(span.spanContext().spanId, { name: span.name, attributes: { ...span.attributes } }),
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};
const provider = new TracerProvider({
  spanProcessors: [startRecorder, new SimpleSpanProcessor({ exporter: capture.exporter })],
});
// Statements outside any span are traced here (requireParentSpan: false): these suites look at
// the statements themselves. The default (true: only under a parent) is tested in options.test.ts.
const instrumentations = createSqlInstrumentations({ requireParentSpan: false });
for (const instrumentation of instrumentations) instrumentation.setTracerProvider(provider);
/* eslint-disable @typescript-eslint/no-require-imports */
const pg = require('pg') as typeof Pg;
const mysql = require('mysql2/promise') as typeof Mysql2Promise;
/* eslint-enable @typescript-eslint/no-require-imports */

after(async () => {
  await provider.shutdown();
  await capture.shutdown();
});

/** Each finished span was started with its final name and statement, and no planted value. */
function assertStartedFinal(spans: readonly ReadableSpan[], planted: readonly string[]): void {
  assert.ok(spans.length > 0);
  for (const span of spans) {
    const started = atStart.get(span.spanContext().spanId);
    assert.ok(started, `${span.name} went through onStart`);
    assert.equal(started.name, span.name, 'named before it started');
    const { 'error.type': _type, 'db.response.status_code': _code, ...finalAttributes } = span.attributes;
    assert.deepEqual(started.attributes, finalAttributes, `${span.name}: the attributes at start are the final ones`);
    const seen = JSON.stringify(started);
    for (const value of planted) assert.ok(!seen.includes(value), `${value} seen at start: ${seen}`);
  }
}

test('pg: onStart sees the final name and the sanitized db.query.text', async (t) => {
  const server = await startPglite();
  t.after(() => server.stop());
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  t.after(() => pool.end());
  capture.reset();
  await pool.query("SELECT $1::text AS v, 'start-literal-secret' AS w, 31337 AS n", ['start-bound-secret']);
  await assert.rejects(pool.query("SELECT 'start-cast-secret'::int"), { code: '22P02' });
  const spans = await capture.waitForSpans(2, isQuery);
  assert.deepEqual(
    spans.map((s) => [s.name, s.attributes['db.query.text']]),
    [
      [`SELECT ${server.database}`, 'SELECT $1::text AS v, ? AS w, ? AS n'],
      [`SELECT ${server.database}`, 'SELECT ?::int'],
    ],
  );
  assertStartedFinal(spans, ['start-literal-secret', '31337', 'start-bound-secret', 'start-cast-secret']);
});

test('mysql2: onStart sees the final name and the sanitized db.query.text', async (t) => {
  const server = await startOrSkip(t, startMariadb);
  if (!server) return;
  t.after(() => server.stop());
  const pool = mysql.createPool({ uri: server.url, connectionLimit: 2 });
  t.after(() => pool.end());
  capture.reset();
  await pool.query('SELECT ? AS v, "start-literal-secret" AS w, 31337 AS n', ['start-bound-secret']);
  await pool.execute('SELECT ? AS v', ['start-execute-secret']);
  const spans = await capture.waitForSpans(2, isQuery);
  assert.deepEqual(
    spans.map((s) => s.attributes['db.query.text']),
    ['SELECT ? AS v, ? AS w, ? AS n', 'SELECT ? AS v'],
  );
  assertStartedFinal(spans, ['start-literal-secret', '31337', 'start-bound-secret', 'start-execute-secret']);
});
