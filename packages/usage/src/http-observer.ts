import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { methodIndex, type RequestAggregator, type RequestLike } from './request-aggregator';

/** When a timed request started (`performance.now()`); set on timed requests only. */
const kStart = Symbol('tracepack.usage.start');
/** Set on ignored requests only (`ignore_paths`). */
const kIgnored = Symbol('tracepack.usage.ignored');
const kWritten = Symbol('tracepack.usage.written');

type ObservedRequest = IncomingMessage & RequestLike & { [kStart]?: number; [kIgnored]?: true };
type ObservedSocket = Socket & { [kWritten]?: number };
interface ChannelMessage {
  request: ObservedRequest;
  response: ServerResponse;
  socket: ObservedSocket | null;
}
interface RouteMessage {
  request: ObservedRequest;
  route: unknown;
}

const START = 'http.server.request.start';
const FINISH = 'http.server.response.finish';
/**
 * Published by @tracepack/instrumentation-http where it resolves a request's route template
 * (fastify, hapi, koa with @koa/router), sampled or not, when someone subscribes.
 */
export const ROUTE_CHANNEL = 'tracepack:http.server.route';

/**
 * Latency sampling: one request in N is timed, N a power of two chosen from the request rate,
 * so that about `TIMED_PER_SECOND` requests a second are timed: N is 1 (every request) up to
 * 512 requests a second, then doubles with the rate, up to `MAX_TIMED_EVERY` (reached at 16k
 * requests a second). A counter picks them (requests 0, N, 2N...), nothing random per request.
 * The rate is measured again every `RATE_WINDOW` requests (on a timed one: the clock is read
 * anyway).
 */
const TIMED_PER_SECOND = 256;
const MAX_TIMED_EVERY = 64;
const RATE_WINDOW = 4096;
/** The counter wraps here: it stays a small integer (no heap number per request). */
const SEQ_MASK = 0x3fffffff;

/**
 * Watches every node:http server of the process through the channels Node publishes
 * (`http.server.request.start`, `http.server.response.finish`): nothing is patched. Per
 * request: a counter increment at the start, one read of the socket's byte counter and a few
 * increments at the finish, no allocation. The clock is read for one request in N only (see
 * `TIMED_PER_SECOND`): counts, methods, status codes and response sizes stay exact, the latency
 * histogram is a sample whose count is the timed responses. Each of those operations costs in a
 * loaded server many times what it costs in a loop (bench/README.md), so the response size is
 * not a difference of two reads: it is what the socket wrote since the previous response on it
 * finished (responses on a connection are written one after the other, pipelined or not).
 * A request whose response never finishes (the client went away) counts as a request only.
 * The route templates of fastify, hapi and koa arrive on `ROUTE_CHANNEL`, when tracing's http
 * instrumentation is loaded, whatever its sampling.
 * Returns a function that stops watching. Never throws into the server: a failure is
 * reported once through `onProblem` and the request is not counted.
 */
export function observeHttpServers(
  aggregator: RequestAggregator,
  ignorePaths: readonly string[],
  onProblem: (err: unknown) => void,
): () => void {
  const ignored = compileIgnorePaths(ignorePaths);
  let problems = 0;
  const problem = (err: unknown): void => {
    if (problems++ === 0) onProblem(err);
  };
  let seq = 0;
  let timedMask = 0;
  let windowStart = performance.now();
  const onStart = (message: unknown): void => {
    try {
      const request = (message as ChannelMessage).request;
      if (ignored !== undefined && ignored(request.url)) {
        request[kIgnored] = true;
        return;
      }
      aggregator.requests[methodIndex(request.method)]!++;
      seq = (seq + 1) & SEQ_MASK;
      if ((seq & timedMask) !== 0) return;
      const now = performance.now();
      request[kStart] = now;
      if ((seq & (RATE_WINDOW - 1)) === 0) {
        timedMask = timedEvery((RATE_WINDOW * 1000) / (now - windowStart)) - 1;
        windowStart = now;
      }
    } catch (err) {
      problem(err);
    }
  };
  const onFinish = (message: unknown): void => {
    try {
      const { request, response, socket } = message as ChannelMessage;
      let bytes = 0;
      if (socket !== null) {
        // Also for an ignored request: its bytes must not count towards the next response.
        const written = socket.bytesWritten;
        bytes = written - (socket[kWritten] ?? 0);
        socket[kWritten] = written;
      }
      if (request[kIgnored] === true) return;
      const start = request[kStart];
      aggregator
        .endpointOf(request)
        .record(
          methodIndex(request.method),
          response.statusCode,
          start === undefined ? -1 : performance.now() - start,
          bytes,
        );
    } catch (err) {
      problem(err);
    }
  };
  const onRoute = (message: unknown): void => {
    try {
      const { request, route } = message as RouteMessage;
      if (typeof route === 'string') aggregator.routeOf(request, route);
    } catch (err) {
      problem(err);
    }
  };
  subscribe(START, onStart);
  subscribe(FINISH, onFinish);
  subscribe(ROUTE_CHANNEL, onRoute);
  return () => {
    unsubscribe(START, onStart);
    unsubscribe(FINISH, onFinish);
    unsubscribe(ROUTE_CHANNEL, onRoute);
  };
}

/** N of "one request in N is timed" for a rate in requests per second: a power of two. */
export function timedEvery(perSecond: number): number {
  let n = 1;
  while (n < MAX_TIMED_EVERY && perSecond / (n * 2) >= TIMED_PER_SECOND) n *= 2;
  return n;
}

/**
 * Exact paths and `prefix*` entries; undefined when there are none (nothing to check). Runs
 * for every request: a path whose length no exact entry has is rejected without a slice or a
 * hash (the default entries are health and metrics paths, of 8 and 13 characters).
 */
function compileIgnorePaths(paths: readonly string[]): ((url: string | undefined) => boolean) | undefined {
  if (paths.length === 0) return undefined;
  const exact = new Set(paths.filter((p) => !p.endsWith('*')));
  const prefixes = paths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  const longest = Math.max(0, ...[...exact].map((p) => p.length));
  const lengths = new Uint8Array(longest + 1);
  for (const p of exact) lengths[p.length] = 1;
  return (url) => {
    if (url === undefined) return false;
    const q = url.indexOf('?');
    const length = q === -1 ? url.length : q;
    if (length <= longest && lengths[length] === 1 && exact.has(q === -1 ? url : url.slice(0, q))) return true;
    if (prefixes.length === 0) return false;
    const path = q === -1 ? url : url.slice(0, q);
    for (const p of prefixes) if (path.startsWith(p)) return true;
    return false;
  };
}
