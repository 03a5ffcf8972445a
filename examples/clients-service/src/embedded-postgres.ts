/** An embedded PostgreSQL reachable over the wire protocol (for local runs without a server). */
export interface EmbeddedPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Stops the socket server and closes the database; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** Progress lines ("starting…", "ready on …"). @default no output */
  log?: (line: string) => void;
  /** Connections served at once (the socket server's default is 1). @default 16 */
  maxConnections?: number;
  /** Port on 127.0.0.1; 0 lets the OS pick a free one. @default 0 */
  port?: number;
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly, in memory, in this process) and serves it
 * on 127.0.0.1 through PGLiteSocketServer, so `pg` talks to it exactly as to a real server:
 * same protocol, same driver code, same spans. Data is lost when the process ends.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  log('embedded PostgreSQL: starting PGlite (in memory)…');
  // Loaded on demand: a service given DATABASE_URL never loads the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 16,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  // "host:port", with the port the OS picked.
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  log(`embedded PostgreSQL: ready on 127.0.0.1:${port} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () =>
      (stopping ??= (async () => {
        await server.stop();
        await db.close();
      })()),
  };
}
