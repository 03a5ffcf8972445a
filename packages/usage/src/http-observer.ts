import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { methodIndex, type RequestAggregator, type RequestLike } from './request-aggregator';

const kStart = Symbol('tracepack.usage.start');
const kWritten = Symbol('tracepack.usage.written');

type ObservedRequest = IncomingMessage & RequestLike & { [kStart]?: number };
type ObservedSocket = Socket & { [kWritten]?: number };
interface ChannelMessage {
  request: ObservedRequest;
  response: ServerResponse;
  socket: ObservedSocket | null;
}

const START = 'http.server.request.start';
const FINISH = 'http.server.response.finish';

/**
 * Watches every node:http server of the process through the channels Node publishes
 * (`http.server.request.start`, `http.server.response.finish`): nothing is patched, and the
 * per-request work is two clock reads, one read of the socket's byte counter and a few
 * increments. Each of those costs in a loaded server many times what it costs in a loop
 * (bench/README.md), so the response size is not a difference of two reads: it is what the
 * socket wrote since the previous response on it finished (responses on a connection are
 * written one after the other, pipelined or not).
 * A request whose response never finishes (the client went away) counts as a request only.
 * Returns a function that stops watching. Never throws into the server: a failure is
 * reported once through `onProblem` and the request is not counted.
 */
export function observeHttpServers(aggregator: RequestAggregator, ignorePaths: readonly string[], onProblem: (err: unknown) => void): () => void {
  const ignored = compileIgnorePaths(ignorePaths);
  let problems = 0;
  const problem = (err: unknown): void => {
    if (problems++ === 0) onProblem(err);
  };
  const onStart = (message: unknown): void => {
    try {
      const { request } = message as ChannelMessage;
      if (ignored !== undefined && ignored(request.url)) return;
      request[kStart] = performance.now();
      aggregator.requests[methodIndex(request.method)]!++;
    } catch (err) {
      problem(err);
    }
  };
  const onFinish = (message: unknown): void => {
    try {
      const { request, response, socket } = message as ChannelMessage;
      const start = request[kStart];
      let bytes = 0;
      if (socket !== null) {
        // Also for an ignored request: its bytes must not count towards the next response.
        const written = socket.bytesWritten;
        bytes = written - (socket[kWritten] ?? 0);
        socket[kWritten] = written;
      }
      if (start === undefined) return;
      aggregator.endpointOf(request).record(methodIndex(request.method), response.statusCode, performance.now() - start, bytes);
    } catch (err) {
      problem(err);
    }
  };
  subscribe(START, onStart);
  subscribe(FINISH, onFinish);
  return () => {
    unsubscribe(START, onStart);
    unsubscribe(FINISH, onFinish);
  };
}

/** Exact paths and `prefix*` entries; undefined when there are none (nothing to check). */
function compileIgnorePaths(paths: readonly string[]): ((url: string | undefined) => boolean) | undefined {
  if (paths.length === 0) return undefined;
  const exact = new Set(paths.filter((p) => !p.endsWith('*')));
  const prefixes = paths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (url) => {
    if (url === undefined) return false;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (exact.has(path)) return true;
    for (const p of prefixes) if (path.startsWith(p)) return true;
    return false;
  };
}
