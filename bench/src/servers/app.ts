/**
 * The service under load, the same for every variant. Loaded by a variant's script AFTER its
 * tracer is set up, so instrumentations see `http`, `pg` and `bcrypt` being loaded.
 *
 * - hello:  GET /hello/:id        -> "hello"                       (node:http only)
 * - db:     GET /clients/:id      -> the row as JSON               (pg Pool, one SELECT)
 * - bcrypt: POST /oauth2/token    -> a token when the secret fits   (one bcrypt.compare, cost 4)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { BCRYPT_COST, CLIENT_SECRET } from './routes';

interface BcryptLike {
  compare(data: string, encrypted: string): Promise<boolean>;
  hashSync(data: string, rounds: number): string;
}

export interface App {
  server: Server;
  /** Requests received and not yet answered (closed). */
  inFlight(): number;
  close(): Promise<void>;
}

export async function startApp(scenario: string, pgUrl: string | undefined): Promise<App> {
  // A handler returns its pending work (a query, a compare), so `inFlight` also covers work that
  // outlives an aborted connection (wrk closes its connections when it stops).
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | void;
  let closeExtra = async (): Promise<void> => {};
  switch (scenario) {
    case 'hello':
      handler = hello;
      break;
    case 'db': {
      if (!pgUrl) throw new Error('bench app: the db scenario needs BENCH_PG_URL');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the tracer
      const pg = require('pg') as typeof import('pg');
      const pool = new pg.Pool({ connectionString: pgUrl, max: 8 });
      await pool.query('SELECT 1');
      handler = clients(pool);
      closeExtra = () => pool.end();
      break;
    }
    case 'bcrypt': {
      const bcrypt = loadBcrypt();
      handler = token(bcrypt, bcrypt.hashSync(CLIENT_SECRET, BCRYPT_COST));
      break;
    }
    default:
      throw new Error(`bench app: unknown scenario "${scenario}"`);
  }
  let inFlight = 0;
  const done = (): void => {
    inFlight--;
  };
  const server = createServer({ keepAlive: true }, (req, res) => {
    inFlight++;
    const closed = new Promise((resolve) => res.once('close', resolve));
    void Promise.all([handler(req, res), closed]).then(done, done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    server,
    inFlight: () => inFlight,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeExtra();
    },
  };
}

function hello(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && req.url?.startsWith('/hello/')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    return;
  }
  notFound(res);
}

function clients(pool: Pool): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | void {
  return (req, res) => {
    const m = req.method === 'GET' ? /^\/clients\/(\d+)$/.exec(req.url ?? '') : null;
    if (!m) return notFound(res);
    return pool
      .query<{ id: number; name: string; redirect_uri: string }>(
        'SELECT id, name, redirect_uri FROM bench_clients WHERE id = $1',
        [Number(m[1])],
      )
      .then(
        (r) => {
          if (r.rows.length === 0) return notFound(res);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r.rows[0]));
        },
        () => res.writeHead(500).end(),
      );
  };
}

function token(
  bcrypt: BcryptLike,
  hash: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | void {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/oauth2/token') return notFound(res);
    return new Promise<void>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => resolve());
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        bcrypt
          .compare(form.get('client_secret') ?? '', hash)
          .then(
            (ok) => {
              if (!ok)
                return void res
                  .writeHead(401, { 'content-type': 'application/json' })
                  .end('{"error":"invalid_client"}');
              res
                .writeHead(200, { 'content-type': 'application/json' })
                .end('{"access_token":"bench","token_type":"Bearer","expires_in":3600}');
            },
            () => void res.writeHead(500).end(),
          )
          .finally(resolve);
      });
    });
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404).end();
}

/** The native `bcrypt` package (prebuilt binding shipped in the package). */
function loadBcrypt(): BcryptLike {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the tracer
  return require('bcrypt') as BcryptLike;
}
