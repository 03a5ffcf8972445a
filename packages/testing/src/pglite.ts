import type { DatabaseServer } from './postgres';

export interface StartPgliteOptions {
  /**
   * Client connections the socket server accepts at once. PGLiteSocketServer defaults to 1 and
   * refuses the rest ("Too many connections"); its query queue multiplexes the connections onto
   * the one embedded database (a transaction keeps the database to its own connection).
   * @default 16
   */
  maxConnections?: number;
}

/**
 * An embedded PostgreSQL (PGlite, in-process WebAssembly) served over the PostgreSQL wire
 * protocol on 127.0.0.1 and a free port, so `pg` connects to it like to a real server (simple and
 * extended protocol, pools). User `postgres`, no password, database `postgres`.
 *
 * Needs nothing installed: the default database for tests. PGlite reports itself as
 * PostgreSQL 18; it runs one statement at a time.
 */
export async function startPglite(options: StartPgliteOptions = {}): Promise<DatabaseServer> {
  // Loaded on demand: importing @tracepack/testing must not load the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 16,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  // getServerConn() is "host:port" with the port the OS picked once listening.
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  const host = '127.0.0.1';
  let stopped = false;
  return {
    url: `postgresql://postgres@${host}:${port}/postgres`,
    host,
    port,
    database: 'postgres',
    user: 'postgres',
    password: '',
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
