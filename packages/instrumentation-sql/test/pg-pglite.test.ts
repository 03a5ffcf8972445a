import { after, test } from 'node:test';
import { createSpanCapture, startPglite } from '@tracepack/testing';
import type * as Pg from 'pg';
import { createSqlInstrumentations } from '../src';
import { pgSuite } from './pg-suite';

// The span capture and the instrumentations first: `pg` is patched when it is required.
const capture = createSpanCapture();
// Statements outside any span are traced here (requireParentSpan: false): these suites look at
// the statements themselves. The default (true: only under a parent) is tested in options.test.ts.
createSqlInstrumentations({ requireParentSpan: false });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as typeof Pg;

after(() => capture.shutdown());

test('pg against PGlite (embedded PostgreSQL over the wire protocol)', async (t) => {
  const server = await startPglite();
  t.after(() => server.stop());
  await pgSuite(t, pg, capture, server);
});
