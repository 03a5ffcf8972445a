// Versioned migrations: applied in order at start, each once, each in a transaction with its
// row in schema_migrations; a failing one leaves nothing behind and stops the start.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  migrate,
  openDatabase,
  readMigrations,
  startUsageCollector,
  UsageCollectorError,
  MIGRATIONS_DIR,
} from '../src/index';
import { tempDir } from './helpers';

describe('migrations', () => {
  it('the shipped files are numbered NNN_name.sql, 001 first, and every table and column of 001 is commented', () => {
    const all = readMigrations();
    assert.equal(all[0]!.version, 1);
    assert.equal(all[0]!.name, 'initial');
    const sql = all[0]!.sql;
    const tables = [...sql.matchAll(/^CREATE TABLE (\w+) \(\n([\s\S]*?)\n\);/gm)];
    assert.deepEqual(
      tables.map((t) => t[1]),
      [
        'installations',
        'instances',
        'reports',
        'endpoint_usage',
        'request_counts',
        'feature_usage',
        'user_activity',
        'runtime_stats',
        'keepalives',
        'privacy_drops',
        'ignored_metrics',
      ],
    );
    for (const [, table, body] of tables) {
      assert.match(sql, new RegExp(`COMMENT ON TABLE ${table} IS '`), `${table} has a table comment`);
      for (const line of body!.split('\n')) {
        if (/^\s+(PRIMARY KEY|CONSTRAINT)/.test(line) || !/^\s+\w+ /.test(line)) continue;
        if (/^\s+received_at /.test(line)) continue; // the one convention column, described in the file header
        assert.match(line, /--/, `${table}: column without a comment: ${line.trim()}`);
      }
    }
  });

  it('applies every migration once, recorded; a restart applies none', async (t) => {
    const tmp = tempDir('usage-collector-migrate-');
    t.after(tmp.remove);
    const db = await openDatabase({ dataDir: tmp.dir });
    t.after(() => db.close());
    const first = await migrate(db);
    assert.deepEqual(
      first,
      readMigrations().map((m) => m.version),
    );
    assert.deepEqual(await migrate(db), []);
    const { rows } = await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    assert.deepEqual(
      rows,
      readMigrations().map((m) => ({ version: m.version, name: m.name })),
    );
  });

  it('a failing migration rolls back with its row, and names itself; the ones before it stay', async (t) => {
    const tmp = tempDir('usage-collector-migrate-');
    t.after(tmp.remove);
    const dir = join(tmp.dir, 'migrations');
    mkdirSync(dir);
    writeFileSync(join(dir, '001_one.sql'), 'CREATE TABLE one (a int);');
    writeFileSync(join(dir, '002_two.sql'), 'CREATE TABLE two (a int);\nSELECT no_such_function();');
    const db = await openDatabase({ dataDir: join(tmp.dir, 'db') });
    t.after(() => db.close());
    await assert.rejects(
      migrate(db, readMigrations(dir)),
      (err: unknown) =>
        err instanceof UsageCollectorError && /migration 002_two\.sql failed: .*no_such_function/.test(err.message),
    );
    const tables = (
      await db.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      )
    ).rows.map((r) => r.t);
    assert.deepEqual(tables, ['one', 'schema_migrations']);
    assert.deepEqual((await db.query('SELECT version FROM schema_migrations')).rows, [{ version: 1 }]);
  });

  it('refuses misnamed or doubled files', (t) => {
    const tmp = tempDir('usage-collector-migrate-');
    t.after(tmp.remove);
    writeFileSync(join(tmp.dir, 'init.sql'), '');
    assert.throws(() => readMigrations(tmp.dir), /init\.sql is not named NNN_name\.sql/);
    const tmp2 = tempDir('usage-collector-migrate-');
    t.after(tmp2.remove);
    writeFileSync(join(tmp2.dir, '001_a.sql'), '');
    writeFileSync(join(tmp2.dir, '001_b.sql'), '');
    assert.throws(() => readMigrations(tmp2.dir), /two migration files have the number 001/);
    assert.ok(MIGRATIONS_DIR.endsWith('migrations'));
  });

  it('one embedded data directory is one collector: a second is refused while the first runs', async (t) => {
    const tmp = tempDir('usage-collector-lock-');
    t.after(tmp.remove);
    const a = await startUsageCollector({ port: 0, dataDir: tmp.dir, env: {}, logger: () => undefined });
    t.after(() => a.close());
    await assert.rejects(
      startUsageCollector({ port: 0, dataDir: tmp.dir, env: {}, logger: () => undefined }),
      /in use by process \d+; run one collector per data directory/,
    );
  });

  it('invalid options throw with the package name, the option and what it expects', async () => {
    await assert.rejects(
      startUsageCollector({ port: 70000, env: {} }),
      /@tracepack\/usage-collector: port expects an integer from 0 to 65535, instead got 70000/,
    );
    await assert.rejects(
      startUsageCollector({ bodyLimit: 10, env: {} }),
      /bodyLimit expects a number of bytes, at least 1024/,
    );
    await assert.rejects(
      startUsageCollector({ rollupIntervalMs: -1, env: {} }),
      /rollupIntervalMs expects a number of milliseconds, 0 or more, instead got -1/,
    );
    await assert.rejects(
      startUsageCollector({ env: { DATABASE_URL: 'mysql://u:secret@h/db' } }),
      (err: Error) => /a postgresql:\/\/ URL/.test(err.message) && !err.message.includes('secret'),
    );
  });
});
