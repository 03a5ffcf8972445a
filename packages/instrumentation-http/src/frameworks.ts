// Where the route templates of fastify, koa and hapi come from. express needs nothing here: its
// router leaves `req.route` and `req.baseUrl` on the raw request, whatever loaded it (CJS, ESM,
// NestJS). The others keep their route on their own request object, so each gets one hook that
// copies it to the raw request, where `routeOf` (server.ts) reads it when the response closes.
//
// ESM: a patch registered with InstrumentationNodeModuleDefinition also runs for `import`, through
// import-in-the-middle, but it is then given the module's namespace (a Proxy), not `module.exports`.
// `moduleTargets` hands a patch both what `import X from` sees (`default`) and the namespace's own
// bindings (what `import { x } from` sees), each patched once.
import { isWrapped } from '@opentelemetry/instrumentation';
import { kKoaContext, kRoute } from './internal-types';
import type {
  FastifyInstanceLike,
  FastifyRequestLike,
  HapiModuleLike,
  HapiRequestLike,
  HapiServerLike,
  HapiToolkitLike,
  KoaModuleLike,
  RawRequestRouteFields,
} from './internal-types';
import { inMajorRange, reportProblem, SUPPORTED_VERSIONS } from './utils';

/** What InstrumentationBase's `_wrap` / `_unwrap` do (they are protected: server.ts lends them). */
export interface Patcher {
  wrap(target: object, name: string, wrapper: (original: never) => unknown): void;
  unwrap(target: object, name: string): void;
}

/**
 * The objects to patch for what a module hook was given: `module.exports` for `require`; for
 * `import`, the namespace's `default` (the same `module.exports` for a CommonJS package) and the
 * namespace itself, whose named bindings are separate copies of the exports.
 */
export function moduleTargets<T extends object>(exports: T | { default?: T } | undefined): T[] {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return [];
  if ((exports as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] !== 'Module') return [exports as T];
  const targets = [exports as T];
  const byDefault = (exports as { default?: T }).default;
  if (byDefault !== null && (typeof byDefault === 'object' || typeof byDefault === 'function')) targets.unshift(byDefault);
  return targets;
}

// ---------------------------------------------------------------------------------------------
// fastify: every instance is published on a diagnostics channel when created (all of 4.x and
// 5.x), however fastify was loaded: require, import, or NestJS's platform-fastify with its own
// copy. No module patch, so nothing to miss under ESM.

/** The channel fastify publishes `{ fastify }` on from its factory. */
export const FASTIFY_INITIALIZATION_CHANNEL = 'fastify.initialization';

/**
 * The instances given the hook: diagnostics_channel counts subscriptions (each enabled
 * instrumentation holds one, so that disabling one leaves the others working), and an instance
 * must still get one hook.
 */
const hookedFastifyInstances = new WeakSet<object>();

/**
 * Subscriber of `fastify.initialization`: adds the `onRequest` hook to instances of a supported
 * version. Never throws (diagnostics_channel would rethrow it on the next tick, as an uncaught
 * exception).
 */
export function onFastifyInitialization(message: unknown): void {
  try {
    const app = (message as { fastify?: FastifyInstanceLike } | null)?.fastify;
    if (app === undefined || app === null || typeof app.addHook !== 'function' || hookedFastifyInstances.has(app)) return;
    if (!inMajorRange(app.version, SUPPORTED_VERSIONS.fastify)) return;
    hookedFastifyInstances.add(app);
    app.addHook('onRequest', fastifyOnRequest);
  } catch (err) {
    reportProblem('adding the fastify hook', err);
  }
}

/** fastify's `onRequest` hook: the route template is known once routing is done. */
function fastifyOnRequest(request: FastifyRequestLike, _reply: unknown, done: () => void): void {
  try {
    // routeOptions since fastify 4.10 (url undefined for the 404 handler); routerPath before.
    const options = request.routeOptions;
    const url = options !== undefined ? options.url : request.routerPath;
    if (typeof url === 'string') (request.raw as RawRequestRouteFields)[kRoute] = url;
  } catch (err) {
    reportProblem('reading the fastify route', err);
  }
  done();
}

// ---------------------------------------------------------------------------------------------
// koa: no channel, and its context (where @koa/router leaves `_matchedRoute`) is not reachable
// from the raw request. `Application.prototype.createContext` is wrapped to keep it there; the
// prototype is shared by `require('koa')` and `import Koa from 'koa'` (koa's ESM entry re-exports
// the CommonJS class), so one wrap serves both.

export function patchKoa(exports: KoaModuleLike | { default?: KoaModuleLike } | undefined, patcher: Patcher): void {
  for (const koa of moduleTargets<KoaModuleLike>(exports)) {
    const proto = (koa as Partial<KoaModuleLike>).prototype;
    if (typeof proto?.createContext === 'function' && !isWrapped(proto.createContext)) {
      patcher.wrap(proto, 'createContext', keepKoaContext);
    }
  }
}

export function unpatchKoa(exports: KoaModuleLike | { default?: KoaModuleLike } | undefined, patcher: Patcher): void {
  for (const koa of moduleTargets<KoaModuleLike>(exports)) {
    const proto = (koa as Partial<KoaModuleLike>).prototype;
    if (proto !== undefined && isWrapped(proto.createContext)) patcher.unwrap(proto, 'createContext');
  }
}

/** Keeps koa's context on the raw request, to read @koa/router's `_matchedRoute` at the end. */
function keepKoaContext(original: (...args: unknown[]) => unknown) {
  return function createContext(this: unknown, req: unknown, res: unknown): unknown {
    const ctx = original.call(this, req, res);
    if (req !== null && typeof req === 'object') (req as RawRequestRouteFields)[kKoaContext] = ctx as RawRequestRouteFields[typeof kKoaContext];
    return ctx;
  };
}

// ---------------------------------------------------------------------------------------------
// hapi: no channel either, and its request is not reachable from the raw one. The exported
// factory (`Hapi.server()`, `new Hapi.Server()`: one function in hapi 21) is wrapped so that each
// new server gets an `onPreAuth` extension, through hapi's public `server.ext()`. onPreAuth is the
// first extension point after routing: the route is recorded even when authentication fails or
// the client goes away before the handler ends.
//
// The template is kept as hapi writes it (`/clients/{id}`, `/files/{path*}`): OpenTelemetry's
// `http.route` is "the path template in the format used by the respective server framework", and
// hapi's has forms (`{name?}`, `{path*2}`, `{file}.{ext}`) that `:name` cannot say.

const HAPI_FACTORIES = ['server', 'Server'] as const;

export function patchHapi(exports: HapiModuleLike | { default?: HapiModuleLike } | undefined, patcher: Patcher): void {
  for (const hapi of moduleTargets<HapiModuleLike>(exports)) {
    for (const name of HAPI_FACTORIES) {
      const factory = (hapi as Partial<HapiModuleLike>)[name];
      // Already wrapped: the named bindings of an `import` that came after a `require`.
      if (typeof factory === 'function' && !isWrapped(factory)) patcher.wrap(hapi, name, wrapHapiFactory);
    }
  }
}

export function unpatchHapi(exports: HapiModuleLike | { default?: HapiModuleLike } | undefined, patcher: Patcher): void {
  for (const hapi of moduleTargets<HapiModuleLike>(exports)) {
    for (const name of HAPI_FACTORIES) {
      if (isWrapped((hapi as Partial<HapiModuleLike>)[name])) patcher.unwrap(hapi, name);
    }
  }
}

type HapiFactory = (...args: unknown[]) => HapiServerLike;

function wrapHapiFactory(original: HapiFactory): HapiFactory {
  return function server(this: unknown, ...args: unknown[]): HapiServerLike {
    // hapi 21 returns the server from a plain function, with or without `new`.
    const created = new.target !== undefined ? (Reflect.construct(original, args) as HapiServerLike) : original.apply(this, args);
    try {
      created.ext('onPreAuth', hapiOnPreAuth);
    } catch (err) {
      reportProblem('adding the hapi extension', err);
    }
    return created;
  };
}

/** hapi's `onPreAuth` extension: copies the matched route's template to the raw request. */
function hapiOnPreAuth(request: HapiRequestLike, h: HapiToolkitLike): symbol {
  try {
    const route = request.route;
    // The 404 / 400 / CORS-preflight routes hapi answers with itself are `_special`, `/{p*}`.
    if (route !== undefined && route.method !== '_special' && typeof route.path === 'string') {
      (request.raw.req as RawRequestRouteFields)[kRoute] = route.path;
    }
  } catch (err) {
    reportProblem('reading the hapi route', err);
  }
  return h.continue;
}
