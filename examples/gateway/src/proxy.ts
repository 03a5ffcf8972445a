// Loaded by main.ts once tracing has started, so that node:http and fetch are instrumented:
// the SERVER span comes from the incoming request (joining the caller's traceparent), the
// CLIENT span and the traceparent sent upstream from the fetch instrumentation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { GatewaySettings } from './settings';
import {
  checkBody,
  checkBodyHeaders,
  checkMethod,
  checkTarget,
  FORWARDED_METHODS,
  hasBody,
  MAX_BODY_BYTES,
  type Refusal,
} from './validate';

/** Request headers passed upstream; trace headers are not among them: fetch writes its own. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'authorization', 'content-type', 'user-agent'];
/** Response headers passed back to the caller. */
const RETURNED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'location', 'www-authenticate'];

/** `/clients`, `/clients/...` and `/oauth2/...` go upstream; the rest is the gateway's own. */
export function isForwarded(pathname: string): boolean {
  return pathname === '/clients' || pathname.startsWith('/clients/') || pathname.startsWith('/oauth2/');
}

export function createGateway(settings: GatewaySettings): Server {
  return createServer((req, res) => {
    handle(req, res, settings).catch((err: unknown) => {
      console.error(`gateway: request failed: ${(err as Error)?.message ?? String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, settings: GatewaySettings): Promise<void> {
  // What the client sends is checked here (src/validate.ts) before it goes upstream.
  const target = checkTarget(req.url ?? '/', settings.upstreamUrl);
  if (!(target instanceof URL)) {
    refuse(res, target);
    return;
  }
  if (target.pathname === '/health/alive' || target.pathname === '/health/ready') {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  if (!isForwarded(target.pathname)) {
    if (!req.complete) res.setHeader('connection', 'close');
    sendJson(res, 404, { error: 'not_found' });
    return;
  }

  const method = req.method ?? 'GET';
  const refused =
    checkMethod(method) ?? (method !== 'GET' && method !== 'HEAD' && hasBody(req) ? checkBodyHeaders(req) : undefined);
  if (refused) {
    refuse(res, refused);
    return;
  }

  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  if (req.socket.remoteAddress) headers.set('x-forwarded-for', req.socket.remoteAddress);
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  if (body === null) {
    refuse(res, { status: 413, error: 'payload_too_large', field: 'body' });
    return;
  }
  const badBody = body && checkBody(req, body);
  if (badBody) {
    refuse(res, badBody);
    return;
  }

  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.upstreamTimeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error)?.name === 'TimeoutError';
    sendJson(res, timedOut ? 504 : 502, { error: timedOut ? 'upstream_timeout' : 'bad_gateway' });
    return;
  }

  const out: Record<string, string> = {};
  for (const name of RETURNED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) out[name] = value;
  }
  res.writeHead(upstream.status, out);
  if (!upstream.body || method === 'HEAD') {
    res.end();
    return;
  }
  // Streamed back as it arrives.
  await pipeline(Readable.fromWeb(upstream.body as NodeReadableStream<Uint8Array>), res);
}

/** The request body, or null when it is larger than {@link MAX_BODY_BYTES}. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function refuse(res: ServerResponse, r: Refusal): void {
  if (r.status === 405) res.setHeader('allow', FORWARDED_METHODS.join(', '));
  // Refused before its body was read: the connection ends, so that a client reusing it does not
  // wait while the rest of a large body is read and dropped.
  if (!res.req.complete) res.setHeader('connection', 'close');
  sendJson(res, r.status, { error: r.error, field: r.field });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
