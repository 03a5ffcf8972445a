// SQL spans where users run: a service with no tracing code, started with
// `node --import @tracepack/node/register pg-app.mjs` (ESM: pg, mysql2, or `mysql2/promise` alone
// imported, through import-in-the-middle) or `node --require @tracepack/node/register sql-app.cjs`
// (CommonJS), exporting over OTLP to a receiver here. The spans arrive with the
// sanitized statements, the error codes, this package's scope, and no planted value anywhere in
// what was exported. Needs @tracepack/node built (`npx tsc -b packages/node`).
import { startMariadb, startOtlpReceiver, startPglite } from '@tracepack/testing';
import type { DatabaseServer, DecodedSpan } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../src/version';
import { startOrSkip } from './helpers';

/** packages/instrumentation-sql (this file runs from its dist/test). */
const PACKAGE_DIR = join(__dirname, '..', '..');
const FIXTURES_DIR = join(PACKAGE_DIR, 'test', 'fixtures');

interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** This node (the line under test) in a child, without blocking: the receiver lives here. */
function runNode(args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

interface ExpectedSpan {
  name: string;
  text?: string;
  errorType?: string;
  statusCode?: string;
}

interface DriverCase {
  /** DRIVER of the fixtures. */
  driver: 'pg' | 'mysql2' | 'mysql2/promise';
  /** The ESM fixture importing only this driver. */
  esmFixture: string;
  start: () => Promise<DatabaseServer>;
  /** A real MariaDB may be missing outside CI; PGlite is always there. */
  skippable: boolean;
  /** What the app's driver calls must produce, in the order they end. */
  expected: (server: DatabaseServer) => ExpectedSpan[];
  /** What the app reports of the errors it caught. */
  codes: string[];
}

const CASES: DriverCase[] = [
  {
    driver: 'pg',
    esmFixture: 'pg-app.mjs',
    start: startPglite,
    skippable: false,
    expected: (db) => [
      { name: 'pg.connect' },
      { name: 'pg-pool.connect' },
      { name: `SELECT ${db.database}`, text: 'SELECT $1::text AS v, ? AS w' },
      { name: 'pg.connect' },
      { name: `SELECT ${db.database}`, text: 'SELECT $1::int AS n' },
      { name: `SELECT ${db.database}`, text: 'SELECT ?::int', errorType: '22P02', statusCode: '22P02' },
    ],
    codes: ['22P02'],
  },
  {
    driver: 'mysql2',
    esmFixture: 'mysql2-app.mjs',
    start: startMariadb,
    skippable: true,
    expected: (db) => [
      { name: `SELECT ${db.database}`, text: 'SELECT ? AS v, ? AS w' },
      {
        name: 'SELECT no_such_table_here',
        text: 'SELECT * FROM no_such_table_here',
        errorType: 'ER_NO_SUCH_TABLE',
        statusCode: '1146',
      },
      { name: `SELECT ${db.database}`, text: 'SELECT ? AS x' },
    ],
    codes: ['ER_NO_SUCH_TABLE'],
  },
  {
    driver: 'mysql2/promise',
    esmFixture: 'mysql2-promise-app.mjs',
    start: startMariadb,
    skippable: true,
    expected: (db) => [
      { name: `SELECT ${db.database}`, text: 'SELECT ? AS v, ? AS w' },
      { name: `SELECT ${db.database}`, text: 'SELECT ? AS n' },
      {
        name: 'SELECT no_such_table_here',
        text: 'SELECT * FROM no_such_table_here',
        errorType: 'ER_NO_SUCH_TABLE',
        statusCode: '1146',
      },
    ],
    codes: ['ER_NO_SUCH_TABLE'],
  },
];

const MODULE_SYSTEMS = [
  { name: 'ESM', flag: '--import', fixture: (c: DriverCase) => c.esmFixture },
  { name: 'CJS', flag: '--require', fixture: () => 'sql-app.cjs' },
] as const;

/** Everything the receiver got, as one string (bigints as text). */
const everything = (spans: readonly DecodedSpan[]): string =>
  JSON.stringify(spans, (_key, value: unknown) =>
    typeof value === 'bigint'
      ? value.toString()
      : value instanceof Uint8Array
        ? Buffer.from(value).toString('latin1')
        : value,
  );

/** One server of each kind for all children (each child uses its own tables, or none). */
const servers = new Map<DriverCase['start'], Promise<DatabaseServer>>();
after(async () => {
  for (const server of servers.values())
    await server.then(
      (s) => s.stop(),
      () => undefined,
    );
});

function startServer(t: TestContext, c: DriverCase): Promise<DatabaseServer | undefined> {
  let server = servers.get(c.start);
  if (!server) servers.set(c.start, (server = c.start()));
  const shared = server;
  return c.skippable ? startOrSkip(t, () => shared) : shared;
}

for (const system of MODULE_SYSTEMS) {
  describe(`${system.name}: node ${system.flag} @tracepack/node/register`, { concurrency: 3 }, () => {
    for (const c of CASES) {
      it(`${c.driver} (${system.fixture(c)}): statement spans${c.driver === 'pg' ? ' and connection spans' : ''}, sanitized, with error codes; no value exported`, async (t) => {
        const server = await startServer(t, c);
        if (!server) return;
        const receiver = await startOtlpReceiver();
        t.after(() => receiver.stop());

        const child = await runNode([system.flag, '@tracepack/node/register', join(FIXTURES_DIR, system.fixture(c))], {
          DRIVER: c.driver,
          DATABASE_URL: server.url,
          TRACING_PROVIDER: 'otlp',
          TRACING_SERVICE_NAME: 'sql-app',
          TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
          TRACING_INSTRUMENTATIONS_SQL_CONNECTION_SPANS: 'true',
          // The apps run their statements outside any request, as a script does.
          TRACING_INSTRUMENTATIONS_SQL_REQUIRE_PARENT_SPAN: 'false',
        });
        assert.equal(child.status, 0, child.stderr);
        assert.deepEqual(JSON.parse(child.stdout.trim()), { codes: c.codes });

        const expected = c.expected(server);
        const spans = (await receiver.waitForSpans(expected.length, 10_000)).filter(
          (s) => s.scope.name === PACKAGE_NAME,
        );
        const summary = (s: DecodedSpan): ExpectedSpan => ({
          name: s.name,
          ...(s.attributes['db.query.text'] !== undefined ? { text: String(s.attributes['db.query.text']) } : {}),
          ...(s.attributes['error.type'] !== undefined ? { errorType: String(s.attributes['error.type']) } : {}),
          ...(s.attributes['db.response.status_code'] !== undefined
            ? { statusCode: String(s.attributes['db.response.status_code']) }
            : {}),
        });
        assert.deepEqual(spans.map(summary), expected);
        for (const span of spans) {
          assert.equal(span.kind, 'CLIENT');
          assert.equal(span.serviceName, 'sql-app');
          assert.deepEqual(span.scope, { name: PACKAGE_NAME, version: PACKAGE_VERSION });
          assert.equal(span.attributes['db.system.name'], c.driver === 'pg' ? 'postgresql' : 'mysql');
          assert.equal(span.attributes['server.port'], server.port);
          assert.equal(span.status.code, span.attributes['error.type'] === undefined ? 0 : 2);
        }
        if (c.driver === 'pg') {
          const [clientConnect, poolConnect] = spans;
          assert.equal(
            clientConnect?.parentSpanId,
            poolConnect?.spanId,
            'the pool connect span is the parent of the client connect it caused',
          );
        }

        const exported = everything(receiver.spans);
        for (const planted of ['secret', '424242', '535353']) {
          assert.ok(!exported.includes(planted), `"${planted}" was exported: ${exported}`);
        }
      });
    }
  });
}
