/*
 * One HTTP request over node:http / node:https, for the collector exporter (POST) and the
 * sampling poller (GET): a deadline through an AbortSignal, a bounded response body, and one
 * retry when a kept-alive socket turns out to have been closed by the server meanwhile.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer;
  /** `undefined`: a fresh connection, closed after the response. */
  agent?: http.Agent;
  /** Aborting destroys the request; the promise rejects with `signal.reason`. */
  signal: AbortSignal;
  /** Response bytes kept; more fail the request. 0: the body is read and thrown away. */
  maxBodyBytes: number;
  /** Background work (the sampling poll): the socket must not keep the process alive. */
  unrefSocket?: boolean;
}

export interface HttpResponse {
  status: number;
  body: Buffer;
}

/** A URL without user:password and fragment: what goes on the wire (credentials go in a header). */
export function requestUrl(url: URL): URL {
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  clean.hash = '';
  return clean;
}

/** `Authorization` for user:password in a URL (percent-decoded), or none. */
export function basicAuthHeader(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

/** Marks the one failure worth a second attempt; never leaves this module. */
class StaleSocket extends Error {}

/**
 * Sends one request and reads the whole response. Resolves with any status (the caller decides
 * what counts as success); rejects on a network error, an oversized body or `signal`.
 *
 * Node's documented pattern for keep-alive: a request on a reused socket that the server closed
 * while it idled fails with ECONNRESET before any response, and is retried once on a new one.
 */
export async function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  try {
    return await attempt(url, options, true);
  } catch (err) {
    if (!(err instanceof StaleSocket)) throw err;
    return attempt(url, options, false);
  }
}

function attempt(url: URL, o: HttpRequestOptions, mayRetry: boolean): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    if (o.signal.aborted) {
      reject(o.signal.reason);
      return;
    }
    let settled = false;
    let responded = false;
    /** Why we destroyed the request ourselves: wins over the socket error that follows. */
    let cause: Error | undefined;
    const settle = (err: unknown, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      if (response) resolve(response);
      else reject(cause ?? err);
    };
    const fail = (err: Error): void => {
      cause ??= err;
      req.destroy(err);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const headers = o.body ? { ...o.headers, 'content-length': String(o.body.length) } : o.headers;
    const req = transport.request(url, { method: o.method, headers, agent: o.agent ?? false }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (o.maxBodyBytes === 0) return;
        size += chunk.length;
        if (size > o.maxBodyBytes) {
          fail(new Error(`the response is larger than ${o.maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', (err) => settle(err));
      res.on('close', () => settle(new Error('the connection closed before the response ended')));
    });
    const onAbort = (): void => fail(o.signal.reason as Error);
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (o.unrefSocket) req.on('socket', (socket) => socket.unref());
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (mayRetry && !responded && !cause && req.reusedSocket && err.code === 'ECONNRESET') settle(new StaleSocket());
      else settle(err);
    });
    req.end(o.body);
  });
}
