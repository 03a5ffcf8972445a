import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { decodeRequest, encodeResponse, encodeStatus, encodingOf, type Encoding } from './codec';
import { DEFAULT_DATA_DIR, openDatabase, type Database } from './database';
import { RequestError, UsageCollectorError } from './errors';
import { ingest } from './ingest';
import { migrate } from './migrations';
import { landBatch, rollUpLanded } from './landing';
import type { RollUpLandedResult } from './landing';
import type { UsageCollector, UsageCollectorOptions } from './types';
import { reasonOf } from './utils';
import { PACKAGE_NAME } from './version';

/** The OTLP/HTTP metrics path. */
export const METRICS_PATH = '/v1/metrics';
export const DEFAULT_PORT = 4318;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
/** A refused body is read to its end (so the client sees the answer) up to this, then the connection is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

interface Settings {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  apiKeys: Buffer[];
  bodyLimit: number;
  poolSize: number;
  rollupIntervalMs: number;
  log: (line: string) => void;
}

/** Options with the environment and defaults applied, in one place; throws on a bad one. */
export function resolveOptions(options: UsageCollectorOptions = {}): Settings {
  const env = options.env ?? process.env;
  const invalid = (what: string, expected: string, got: unknown): never => {
    throw new UsageCollectorError(
      'TRACEPACK_USAGE_COLLECTOR_INVALID_OPTION',
      `${what} expects ${expected}, instead got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`,
    );
  };
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) invalid('port', 'an integer from 0 to 65535', port);
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host === '') invalid('host', 'an address or host name', host);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024)
    invalid('bodyLimit', 'a number of bytes, at least 1024', bodyLimit);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) invalid('poolSize', 'a positive integer', poolSize);
  const rollupIntervalMs = options.rollupIntervalMs ?? 1000;
  if (!Number.isInteger(rollupIntervalMs) || rollupIntervalMs < 0)
    invalid('rollupIntervalMs', 'a number of milliseconds, 0 or more', rollupIntervalMs);
  const databaseUrl = options.databaseUrl ?? (env['DATABASE_URL'] || undefined);
  if (databaseUrl !== undefined && !/^postgres(?:ql)?:\/\//.test(databaseUrl))
    invalid('databaseUrl (DATABASE_URL)', 'a postgresql:// URL', '(not shown: it may hold a password)');
  const keys = options.apiKey ?? (env['TRACEPACK_USAGE_API_KEY'] ? env['TRACEPACK_USAGE_API_KEY'].split(',') : []);
  const list = (typeof keys === 'string' ? [keys] : [...keys]).map((k) => k.trim()).filter((k) => k !== '');
  return {
    port,
    host,
    databaseUrl,
    dataDir: options.dataDir ?? (env['TRACEPACK_USAGE_DATA_DIR'] || DEFAULT_DATA_DIR),
    apiKeys: list.map(digest),
    bodyLimit,
    poolSize,
    rollupIntervalMs,
    log: options.logger ?? ((line) => process.stderr.write(`${PACKAGE_NAME}: ${line}\n`)),
  };
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Starts the usage collector: migrates the database, then takes OTLP/HTTP metric reports on
 * `POST /v1/metrics` (protobuf or JSON, gzip / deflate / zstd or plain), filters and stores
 * them. It keeps nothing in memory between requests: several collectors can run against one
 * PostgreSQL behind any load balancer, and a request is answered 200 only once its statement
 * has committed.
 */
export async function startUsageCollector(options: UsageCollectorOptions = {}): Promise<UsageCollector> {
  const s = resolveOptions(options);
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: s.dataDir, poolSize: s.poolSize });
  let applied: number[];
  try {
    applied = await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }

  let failing = false;
  const inFlight = new Set<Promise<void>>();
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      const done = handle(req, res, s, db, {
        ok: () => {
          if (failing) s.log('the database takes reports again');
          failing = false;
        },
        failed: (err) => {
          if (!failing)
            s.log(
              `reports cannot be stored (answered 503, senders retry): ${reasonOf(err)}; further failures are not logged until one succeeds`,
            );
          failing = true;
        },
      }).finally(() => inFlight.delete(done));
      inFlight.add(done);
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(s.port, s.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = s.host.includes(':') ? `[${s.host}]` : s.host === '0.0.0.0' ? '127.0.0.1' : s.host;
  const url = `http://${hostForUrl === '[::]' ? '[::1]' : hostForUrl}:${port}`;
  s.log(
    `taking OTLP/HTTP metric reports on ${url}${METRICS_PATH} (listening on ${s.host}:${port}; protobuf and JSON${s.apiKeys.length > 0 ? '; API key required' : ''}), ` +
      `storing them in ${db.kind === 'postgresql' ? `PostgreSQL at ${db.location}` : `the embedded database (PGlite) in ${db.location}`}` +
      (applied.length > 0 ? ` (migrations applied: ${applied.map((v) => String(v).padStart(3, '0')).join(', ')})` : ''),
  );

  // The landing roll-up: on a timer, by whichever collector gets the lock; stops between two
  // transactions when the collector closes (what is landed stays for the next roll-up).
  const stop = new AbortController();
  let rollupFailing = false;
  let rolling: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const rollUpNow = (wait: boolean): Promise<RollUpLandedResult> => {
    const run = rolling.then(() => rollUpLanded(db, { wait, signal: stop.signal }));
    rolling = run.catch(() => undefined);
    return run;
  };
  const tick = (): void => {
    rollUpNow(false)
      .then(
        () => {
          if (rollupFailing) s.log('rolling up landed reports works again');
          rollupFailing = false;
        },
        (err: unknown) => {
          if (!rollupFailing)
            s.log(
              `rolling up landed reports failed (they stay landed, retried): ${reasonOf(err)}; further failures are not logged until one succeeds`,
            );
          rollupFailing = true;
        },
      )
      .finally(() => {
        if (!stop.signal.aborted) timer = setTimeout(tick, s.rollupIntervalMs).unref();
      });
  };
  if (s.rollupIntervalMs > 0) timer = setTimeout(tick, s.rollupIntervalMs).unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    metricsUrl: `${url}${METRICS_PATH}`,
    port,
    database: db,
    rollUp: () => rollUpNow(true),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await Promise.allSettled([...inFlight]);
        clearTimeout(timer);
        stop.abort();
        await rolling;
        // What this collector acknowledged goes into the tables before it stops, when it can
        // (another collector or the next start rolls it up otherwise).
        await rollUpLanded(db, { wait: false }).catch(() => undefined);
        await db.close();
      })();
      return closing;
    },
  };
}

interface Health {
  ok(): void;
  failed(err: unknown): void;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  s: Settings,
  db: Database,
  health: Health,
): Promise<void> {
  let encoding: Encoding | undefined;
  try {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) throw new RequestError(404, `not found: reports go to POST ${METRICS_PATH}`);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      throw new RequestError(405, `method ${req.method ?? ''} not allowed: reports go to POST ${METRICS_PATH}`);
    }
    encoding = encodingOf(req.headers['content-type']);
    if (s.apiKeys.length > 0 && !authorized(req, s.apiKeys)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new RequestError(401, 'missing or wrong API key (send it as x-api-key: KEY or Authorization: Bearer KEY)');
    }
    if (encoding === undefined) {
      throw new RequestError(
        415,
        `unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}: send application/x-protobuf or application/json`,
      );
    }
    const decompress = decompressorOf(req.headers['content-encoding']);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > s.bodyLimit)
      throw new RequestError(413, `body of ${declared} bytes is over the limit of ${s.bodyLimit} bytes`);
    const raw = await readBody(req, s.bodyLimit);
    let body: Buffer;
    try {
      body = decompress(raw, s.bodyLimit);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new RequestError(413, `body is over the limit of ${s.bodyLimit} bytes once decompressed`);
      }
      throw new RequestError(
        400,
        `malformed ${String(req.headers['content-encoding'])} body: ${(err as Error).message}`,
      );
    }
    const request = decodeRequest(body, encoding);
    const result = ingest(request);
    try {
      await landBatch(db, result.batch);
      health.ok();
    } catch (err) {
      health.failed(err);
      res.setHeader('retry-after', '5');
      throw new RequestError(503, 'the reports could not be stored now; retry later');
    }
    send(res, 200, encoding, encodeResponse(encoding, result.rejected, result.problems.join('; ')));
  } catch (err) {
    let e: RequestError;
    if (err instanceof RequestError) e = err;
    else {
      // A bug of ours: the sender may retry; nothing is stored (the statement did not run).
      health.failed(err);
      e = new RequestError(503, `the report could not be processed: ${reasonOf(err)}`);
    }
    drain(req);
    send(res, e.status, encoding, encodeStatus(encoding, e.status, e.message));
  }
}

function send(res: ServerResponse, status: number, encoding: Encoding | undefined, body: Buffer): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
    'content-length': body.length,
  });
  res.end(body);
}

/** Whether the request carries one of the keys (compared as digests, in constant time). */
function authorized(req: IncomingMessage, keys: readonly Buffer[]): boolean {
  const given: string[] = [];
  const x = req.headers['x-api-key'];
  if (typeof x === 'string') given.push(x.trim());
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) given.push(m[1]!.trim());
  }
  let ok = false;
  for (const g of given) {
    const d = digest(g);
    for (const k of keys) if (timingSafeEqual(d, k)) ok = true;
  }
  return ok;
}

type Decompress = (raw: Buffer, limit: number) => Buffer;

function decompressorOf(header: string | undefined): Decompress {
  const enc = (header ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return (raw) => raw;
  if (enc === 'gzip' || enc === 'x-gzip') return (raw, limit) => zlib.gunzipSync(raw, { maxOutputLength: limit });
  if (enc === 'deflate') return (raw, limit) => zlib.inflateSync(raw, { maxOutputLength: limit });
  const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer, o: { maxOutputLength: number }) => Buffer })
    .zstdDecompressSync;
  if (enc === 'zstd' && zstd) return (raw, limit) => zstd(raw, { maxOutputLength: limit });
  throw new RequestError(
    415,
    `unsupported content encoding ${JSON.stringify(header)}: send gzip, deflate${zstd ? ', zstd' : ''} or none`,
  );
}

/** The body, or a 413 as soon as it grows over the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        reject(new RequestError(413, `body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** Reads what is left of a refused body (so the client reads the answer), within a bound. */
function drain(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}
