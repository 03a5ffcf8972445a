import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database';
import { UsageCollectorError } from './errors';

/** The directory of the migration files: `migrations/` of the package (shipped with it). */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;
/** Key of the advisory lock that serializes collectors migrating one database at once. */
const LOCK_KEY = 7_231_598_402;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The migration files, in order of their number: `001_initial.sql`, `002_...sql`. Numbers
 * may leave gaps (the report's own tables are numbered from 900); each is applied once,
 * whenever a database lacks it.
 */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (err) {
    throw new UsageCollectorError(
      'TRACEPACK_USAGE_COLLECTOR_MIGRATION_FAILED',
      `no migrations directory at ${dir} (${(err as Error).message})`,
    );
  }
  const migrations = files
    .filter((f) => f.endsWith('.sql'))
    .map((f) => {
      const m = FILE.exec(f);
      if (!m)
        throw new UsageCollectorError(
          'TRACEPACK_USAGE_COLLECTOR_MIGRATION_FAILED',
          `migration file ${f} is not named NNN_name.sql`,
        );
      return { version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, f), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new UsageCollectorError(
        'TRACEPACK_USAGE_COLLECTOR_MIGRATION_FAILED',
        `two migration files have the number ${String(migrations[i]!.version).padStart(3, '0')}`,
      );
    }
  }
  return migrations;
}

/**
 * Applies the migrations the database lacks, in order, each in its own transaction together
 * with its row in `schema_migrations` (so a failed one leaves nothing behind). An advisory
 * lock makes collectors starting together against one database apply each migration once.
 * Returns the versions applied now.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = readMigrations()): Promise<number[]> {
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (s) => {
      await s.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await s.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,              -- the NNN of NNN_name.sql
  name text NOT NULL,                       -- the name part of the file
  applied_at timestamptz NOT NULL DEFAULT now()
)`);
      const { rows } = await s.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM schema_migrations WHERE version = $1',
        [m.version],
      );
      if (rows[0]!.n > 0) return false;
      try {
        await s.exec(m.sql);
      } catch (err) {
        throw new UsageCollectorError(
          'TRACEPACK_USAGE_COLLECTOR_MIGRATION_FAILED',
          `migration ${String(m.version).padStart(3, '0')}_${m.name}.sql failed: ${(err as Error).message}`,
        );
      }
      await s.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
