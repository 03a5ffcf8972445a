// mysql2 statements on a real MariaDB, traced with the documented Jaeger config (UDP agent,
// remote sampling) into a real Jaeger, read back from Jaeger's query API: the secret planted in
// the path, query string, headers, body, `?` values (formatted by mysql2), bound values of a
// prepared statement, named placeholders, literals written into the SQL text (quoted, hex, in a
// comment) and in the server's error messages (duplicate entry, wrong value, syntax error) is in
// no span name, tag, log (exception event) or process tag of the trace, in no operation name, and
// in nothing the app wrote to stdout or stderr.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCI, isFixtureUnavailable, startMariadb, type DatabaseServer } from '@tracepack/testing';
import { assertNoSecret, plant, plantedSecret, startApp, type TracedApp } from '../src/privacy-helpers';
import { documentedJaegerTracing, getText, newIds, tagOf, traceparent, waitForJaegerTraceId } from './helpers';
import { e2eSkip, normalizeTraceId, startJaeger, type JaegerServer, type JaegerTrace } from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

const SERVICE = 'e2e-mysql2-privacy';
const SECRET = plantedSecret();
/** Statements the app runs, as Jaeger must show them: no value, no literal. */
const STATEMENTS = [
  'INSERT INTO people (name, email) VALUES (?, ?)',
  'SELECT name FROM people WHERE name = ? AND email = ?',
  'UPDATE people SET note = :note WHERE name = :name',
  'SELECT name FROM people WHERE name = ? OR email = ? OR note = ?',
  'SELECT ? AS v',
  'UPDATE people SET age = ? WHERE name = ?',
  'SELEC name FROM people WHERE name = ?',
];
const FAILURES = ['ER_DUP_ENTRY', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'ER_PARSE_ERROR'];

describe('e2e: mysql2 on MariaDB, traced to Jaeger: no value, literal or error message leaves', { skip }, () => {
  let jaeger: JaegerServer | undefined;
  let db: DatabaseServer | undefined;
  let app: TracedApp | undefined;
  let unavailable: string | undefined;
  const ids = newIds();
  let status = 0;
  let body = '';

  before(async () => {
    try {
      db = await startMariadb();
    } catch (err) {
      if (isFixtureUnavailable(err) && !isCI()) {
        unavailable = err.message;
        return;
      }
      throw err;
    }
    jaeger = await startJaeger();
    app = await startApp('mysql2-privacy-app.js', {
      TRACING_JSON: JSON.stringify({ ...documentedJaegerTracing(jaeger, SERVICE), log_level: 'debug' }),
      MYSQL_URL: db.url,
    });
    const res = await plant(app.port, '/people', SECRET, { traceparent: traceparent(ids) });
    status = res.status;
    body = await res.text();
    await app.stop(); // flushes
  });

  after(async () => {
    await app?.stop();
    await Promise.all([jaeger?.stop(), db?.stop()]);
  });

  test('the statements ran; those meant to fail did, with messages that quote the secret', (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.equal(status, 201, body);
    assert.deepEqual(JSON.parse(body), { codes: FAILURES });
  });

  test("Jaeger's trace: every statement without its values, every error by its code; no byte of the secret", async (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.ok(jaeger);
    let trace: JaegerTrace;
    try {
      trace = await waitForJaegerTraceId(
        jaeger.queryUrl,
        ids.traceId,
        (tr) =>
          STATEMENTS.every((s) => tr.spans.some((span) => tagOf(span, 'db.query.text') === s)) &&
          tr.spans.some((s) => s.operationName === 'POST /people/:id'),
        20_000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\napp output:\n${app?.output().slice(-3000)}`, { cause: err });
    }
    assert.equal(normalizeTraceId(trace.traceID), normalizeTraceId(ids.traceId));
    // What the check reads is there: span names, tags, logs (exception events), process tags.
    const server = trace.spans.find((s) => s.operationName === 'POST /people/:id');
    assert.ok(server && tagOf(server, 'span.kind') === 'server');
    for (const code of FAILURES) {
      const failed = trace.spans.find((s) => tagOf(s, 'error.type') === code);
      assert.ok(failed, `no span with error.type ${code}`);
      assert.equal(tagOf(failed, 'error'), true, `${code}: error=true`);
      assert.ok(failed.logs.length > 0, `${code}: the exception event is a Jaeger log`);
    }
    const processes = Object.values(trace.processes);
    assert.ok(
      processes.some((p) => p.serviceName === SERVICE && p.tags.length > 0),
      'the process has tags',
    );
    for (const span of trace.spans) {
      const where = `span ${span.operationName}`;
      assertNoSecret(`${where}: name`, span.operationName, SECRET);
      for (const tag of span.tags) assertNoSecret(`${where}: tag ${tag.key}`, String(tag.value), SECRET);
      for (const log of span.logs)
        for (const field of log.fields) assertNoSecret(`${where}: log field ${field.key}`, String(field.value), SECRET);
    }
    for (const p of processes)
      for (const tag of p.tags) assertNoSecret(`process ${p.serviceName}: tag ${tag.key}`, String(tag.value), SECRET);
    // And the raw answers, byte by byte: the trace, the service's traces, its operations.
    assertNoSecret("Jaeger's trace (raw JSON)", await getText(`${jaeger.queryUrl}/api/traces/${ids.traceId}`), SECRET);
    const listed = await getText(
      `${jaeger.queryUrl}/api/traces?${new URLSearchParams({ service: SERVICE, limit: '100', lookback: '1h' })}`,
    );
    assert.ok(listed.includes(normalizeTraceId(ids.traceId)), 'the trace is listed');
    assertNoSecret(`Jaeger's traces of ${SERVICE}`, listed, SECRET);
    assertNoSecret(
      `Jaeger's operations of ${SERVICE}`,
      await getText(`${jaeger.queryUrl}/api/services/${SERVICE}/operations`),
      SECRET,
    );
  });

  test("the app's stdout and stderr (log level debug) hold no byte of the secret", (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.ok(app);
    assert.match(app.output(), /@tracepack\/node: tracing started/, 'the diagnostics were on');
    assertNoSecret("the app's stdout and stderr", app.output(), SECRET);
  });
});
