// ESM: a child `node --import test/fixtures/register-esm.mjs test/fixtures/esm-app.mjs`. The
// register file installs the import-in-the-middle hook (@opentelemetry/instrumentation/hook.mjs),
// span capture and the instrumentation; the app imports bcrypt (CommonJS, via the ESM loader) and
// bcryptjs 3 (real ESM) with default and named imports and prints its spans as JSON.
import { SpanKind } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PACKAGE_DIR } from './helpers';

interface ChildSpan {
  name: string;
  kind: number;
  traceId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code: number };
}
interface ChildOutput {
  parentSpanId: string;
  password: string;
  hashes: Record<string, string[]>;
  spans: ChildSpan[];
  spanNamesAfterDisable: string[];
}

test('ESM app (--import register with the import-in-the-middle hook): default and named imports are traced', async () => {
  const password = `pw-${randomUUID()}`;
  const fixtures = join(PACKAGE_DIR, 'test', 'fixtures');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', join(fixtures, 'register-esm.mjs'), join(fixtures, 'esm-app.mjs')],
    { cwd: PACKAGE_DIR, env: { ...process.env, BCRYPT_TEST_PASSWORD: password }, timeout: 30_000 },
  );
  const out = JSON.parse(stdout) as ChildOutput;
  assert.equal(out.password, password);

  const spans = out.spans.filter((s) => s.name.startsWith('bcrypt.'));
  const summary = spans.map(
    (s) =>
      `${String(s.attributes['bcrypt.library'])} ${s.name} ${String(s.attributes['bcrypt.work_factor'])} sync=${String(s.attributes['bcrypt.sync'])}`,
  );
  const perLibrary = (library: string): string[] => [
    `${library} bcrypt.hash 4 sync=false`, // default export, promise
    `${library} bcrypt.hash 5 sync=false`, // named export, promise (one span: no nested genSalt)
    `${library} bcrypt.compare 4 sync=false`, // default export, callback
    `${library} bcrypt.compare 5 sync=true`, // named export, sync
    `${library} bcrypt.genSalt 6 sync=true`, // default export, sync
  ];
  assert.deepEqual(summary, [...perLibrary('bcrypt'), ...perLibrary('bcryptjs')]);
  for (const span of spans) {
    assert.equal(span.kind, SpanKind.INTERNAL);
    assert.equal(span.parentSpanId, out.parentSpanId, `${span.name} is a child of the app's active span`);
  }

  assert.deepEqual(
    out.spanNamesAfterDisable,
    ['esm-parent-after-disable'],
    'disable() unpatches default and named imports',
  );

  const json = JSON.stringify(out.spans);
  for (const secret of [password, ...Object.values(out.hashes).flat()]) {
    assert.ok(!json.includes(secret), 'no password or hash in the ESM spans');
  }
});
