import type { Span } from '@opentelemetry/api';

/** On the raw `IncomingMessage`: the route template a framework hook found (fastify, hapi). */
export const kRoute: unique symbol = Symbol.for('tracepack.http.route');
/** On the raw `IncomingMessage`: the koa context, read at the end for `_matchedRoute`. */
export const kKoaContext: unique symbol = Symbol.for('tracepack.http.koaContext');
/** On the raw `IncomingMessage`: the request's context, for the listeners added to it. */
export const kRequestContext: unique symbol = Symbol.for('tracepack.http.requestContext');
/** On the `ServerResponse`: the request being traced. */
export const kServerState: unique symbol = Symbol.for('tracepack.http.serverState');

/** Config with every default applied (one place: `resolveConfig`). */
export interface ResolvedHttpConfig {
  enabled: boolean;
  ignorePaths: string[];
  routes: string[];
  captureRequestHeaders: string[];
  captureUserAgent: boolean;
  outgoing: boolean;
  /** `OTEL_SEMCONV_STABILITY_OPT_IN` contains `http/dup`: also emit the old attribute names. */
  emitOldSemconv: boolean;
}

/** What the fields a framework leaves on the raw request look like (read defensively). */
export interface RawRequestRouteFields {
  [kRoute]?: string;
  [kKoaContext]?: { _matchedRoute?: unknown; routePath?: unknown };
  /** express 4/5 */
  route?: { path?: unknown };
  /** express 4/5 */
  baseUrl?: unknown;
  /** express 4/5: the app (or sub-app) handling the request */
  app?: unknown;
}

/** Minimal shape of a fastify request used by the onRequest hook. */
export interface FastifyRequestLike {
  raw: object;
  routeOptions?: { url?: string };
  routerPath?: string;
}

/** Minimal shape of a fastify instance, as published on `fastify.initialization`. */
export interface FastifyInstanceLike {
  readonly version?: string;
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: unknown, done: () => void) => void): unknown;
}

/** Minimal shape of koa's export (the Application class). */
export interface KoaModuleLike {
  prototype: { createContext: (...args: unknown[]) => unknown };
}

/** Minimal shape of hapi's exports: `server` and `Server` are the same factory in hapi 21. */
export interface HapiModuleLike {
  server: (...args: unknown[]) => HapiServerLike;
  Server: (...args: unknown[]) => HapiServerLike;
}

/** Minimal shape of a hapi server. */
export interface HapiServerLike {
  ext(event: 'onPreAuth', method: (request: HapiRequestLike, h: HapiToolkitLike) => symbol): unknown;
}

/** Minimal shape of a hapi request in a request-lifecycle extension. */
export interface HapiRequestLike {
  raw: { req: object };
  /** `route.public` of the matched route; `method` is `_special` for hapi's own 404/400/OPTIONS. */
  route?: { method?: unknown; path?: unknown };
}

/** Minimal shape of hapi's response toolkit (`h`). */
export interface HapiToolkitLike {
  readonly continue: symbol;
}

/** The per-request state, kept on the response under `kServerState`. */
export interface ServerRequestState {
  span: Span;
  /** Path without query string, never recorded as is. */
  path: string;
  /** Normalized method (`GET`, ..., or `_OTHER`). */
  method: string;
  onEnd: (state: ServerRequestState, res: import('node:http').ServerResponse) => void;
}
