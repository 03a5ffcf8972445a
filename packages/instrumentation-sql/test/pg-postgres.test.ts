import { after, test } from 'node:test';
import { createSpanCapture, startPostgres } from '@tracepack/testing';
import type * as Pg from 'pg';
import { createSqlInstrumentations } from '../src';
import { startOrSkip } from './helpers';
import { pgSuite } from './pg-suite';

const capture = createSpanCapture();
// Statements outside any span are traced here (requireParentSpan: false): these suites look at
// the statements themselves. The default (true: only under a parent) is tested in options.test.ts.
createSqlInstrumentations({ requireParentSpan: false });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as typeof Pg;

after(() => capture.shutdown());

test('pg against a real PostgreSQL (TRACEPACK_TEST_PG_URL or /usr/lib/postgresql/*/bin)', async (t) => {
  const server = await startOrSkip(t, startPostgres);
  if (!server) return;
  t.after(() => server.stop());
  await pgSuite(t, pg, capture, server);
});
