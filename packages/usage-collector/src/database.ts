import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageCollectorError } from './errors';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

/** The rows of a query. */
export interface QueryResult<R> {
  rows: R[];
}

/** One client connection (or the embedded database) for the statements of a transaction. */
export interface DatabaseSession {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (the migration files). */
  exec(sql: string): Promise<void>;
}

/**
 * The usage database: a PostgreSQL server through a `pg` pool, or the embedded PGlite. Only
 * parameterized statements: values travel as parameters, never in the SQL text.
 */
export interface Database {
  /** `postgresql` (a server, `DATABASE_URL`) or `pglite` (embedded, in a data directory). */
  readonly kind: 'postgresql' | 'pglite';
  /** Where the data is, without any password: `postgresql://user@host:port/db` or the data directory. */
  readonly location: string;
  /**
   * Runs one statement; `name` makes it a prepared statement on a server (parsed once per
   * connection). Outside a transaction a statement commits when it returns.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], name?: string): Promise<QueryResult<R>>;
  /** Runs `fn` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (session: DatabaseSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; unset: the embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** The embedded database's directory (created when missing). @default './.tracepack-usage' */
  dataDir?: string | undefined;
  /** Connections of the pool (server only). @default 10 */
  poolSize?: number | undefined;
}

/** The embedded database's directory when none is given. */
export const DEFAULT_DATA_DIR = './.tracepack-usage';

/**
 * Opens the usage database: PostgreSQL when a URL is given, else PGlite persisted in a data
 * directory (nothing else to install). Does not migrate: see `migrate()`.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(resolve(options.dataDir ?? DEFAULT_DATA_DIR));
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '(a database URL that is not a URL)';
  }
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg');
  const pool: Pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (the server restarted): the pool drops it; nothing to throw into.
  pool.on('error', () => undefined);
  // Fail now, with the server's answer, rather than at the first report.
  const client = await pool.connect().catch(async (err: unknown) => {
    await pool.end().catch(() => undefined);
    throw err;
  });
  // PGlite served over the wire protocol (tests, the quickstart) runs every connection in one
  // session: a statement prepared by one connection exists for all, and a second Parse of
  // the same name fails. Statements are not named there.
  let named = true;
  try {
    const { rows } = await client.query<{ version: string }>('SELECT version() AS version');
    named = !/PGlite/i.test(rows[0]?.version ?? '');
  } finally {
    client.release();
  }
  return {
    kind: 'postgresql',
    location: redactUrl(url),
    async query<R>(sql: string, params: readonly unknown[] = [], name?: string) {
      const result = await pool.query({ text: sql, values: [...params], ...(name && named ? { name } : {}) });
      return { rows: result.rows as R[] };
    },
    async transaction<T>(fn: (session: DatabaseSession) => Promise<T>): Promise<T> {
      const c: PoolClient = await pool.connect();
      try {
        await c.query('BEGIN');
        const session: DatabaseSession = {
          query: async <R>(sql: string, params: readonly unknown[] = []) => ({
            rows: (await c.query(sql, [...params])).rows as R[],
          }),
          exec: async (sql: string) => {
            await c.query(sql);
          },
        };
        const out = await fn(session);
        await c.query('COMMIT');
        c.release();
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        c.release(true);
        throw err;
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  // Loaded on demand: a collector on a server never loads the WebAssembly build.
  let db: PGlite;
  try {
    const pglite = await import('@electric-sql/pglite');
    db = (await pglite.PGlite.create(dataDir)) as unknown as PGlite;
  } catch (err) {
    unlock();
    throw err;
  }
  return {
    kind: 'pglite',
    location: dataDir,
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<R>(sql, [...params]);
      return { rows: result.rows };
    },
    transaction<T>(fn: (session: DatabaseSession) => Promise<T>): Promise<T> {
      return db.transaction((tx) =>
        fn({
          query: async <R>(sql: string, params: readonly unknown[] = []) => ({
            rows: (await tx.query<R>(sql, [...params])).rows,
          }),
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      );
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}

/**
 * The embedded database is one process's: a second collector on the same directory would
 * corrupt it. A lock file holds the owner's pid; a stale one (its process gone: killed) is
 * taken over. Several collectors share a PostgreSQL server instead (DATABASE_URL).
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'collector.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new UsageCollectorError(
          'TRACEPACK_USAGE_COLLECTOR_DATA_DIR_IN_USE',
          `the embedded database in ${dataDir} is in use by process ${owner}; run one collector per data directory, or several against one PostgreSQL (DATABASE_URL)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new UsageCollectorError('TRACEPACK_USAGE_COLLECTOR_DATA_DIR_IN_USE', `could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
