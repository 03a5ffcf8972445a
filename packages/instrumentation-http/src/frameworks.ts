// Where the route templates come from. express needs no hook: its router leaves `req.route` and
// `req.baseUrl` on the raw request, whatever loaded it (CJS, ESM, NestJS), and the templates of
// its mount paths are looked up in the app (at the end of this file). fastify, koa and hapi keep
// their route on their own request object, so each gets one hook that copies it to the raw
// request, where `routeOf` (server.ts) reads it when the response closes.
//
// ESM: a patch registered with InstrumentationNodeModuleDefinition also runs for `import`, through
// import-in-the-middle, but it is then given the module's namespace (a Proxy), not `module.exports`.
// `moduleTargets` hands a patch both what `import X from` sees (`default`) and the namespace's own
// bindings (what `import { x } from` sees), each patched once.
import { isWrapped } from '@opentelemetry/instrumentation';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
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
import type { HttpServerRouteMessage } from './types';
import { inMajorRange, reportProblem, SUPPORTED_VERSIONS } from './utils';

// ---------------------------------------------------------------------------------------------
// The route of a request, for other tools: published on a diagnostics channel where a hook below
// resolves it, for every request, sampled or not, but only while someone subscribes (an
// unsubscribed channel costs one property read; no message object is built).

/** The channel the route template of a request is published on: `{ request, route }`. */
export const HTTP_SERVER_ROUTE_CHANNEL = 'tracepack:http.server.route';
const routeChannel = diagnosticsChannel.channel(HTTP_SERVER_ROUTE_CHANNEL);

function publishRoute(request: IncomingMessage, route: string): void {
  if (!routeChannel.hasSubscribers) return;
  const message: HttpServerRouteMessage = { request, route };
  routeChannel.publish(message);
}

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
  if (byDefault !== null && (typeof byDefault === 'object' || typeof byDefault === 'function'))
    targets.unshift(byDefault);
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
    if (app === undefined || app === null || typeof app.addHook !== 'function' || hookedFastifyInstances.has(app))
      return;
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
    if (typeof url === 'string') {
      (request.raw as RawRequestRouteFields)[kRoute] = url;
      publishRoute(request.raw as IncomingMessage, url);
    }
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

/**
 * koa's route is known once @koa/router has matched, inside the middleware chain: it is
 * published when the response finishes (`http.server.response.finish`), read from the context
 * kept on the raw request. Subscribed while koa is patched, and only then.
 */
const RESPONSE_FINISH_CHANNEL = 'http.server.response.finish';
let koaRouteSubscriptions = 0;

export function publishKoaRoutes(on: boolean): void {
  if (on && koaRouteSubscriptions++ === 0) diagnosticsChannel.subscribe(RESPONSE_FINISH_CHANNEL, publishKoaRoute);
  else if (!on && koaRouteSubscriptions > 0 && --koaRouteSubscriptions === 0)
    diagnosticsChannel.unsubscribe(RESPONSE_FINISH_CHANNEL, publishKoaRoute);
}

function publishKoaRoute(message: unknown): void {
  if (!routeChannel.hasSubscribers) return;
  try {
    const request = (message as { request?: IncomingMessage & RawRequestRouteFields }).request;
    const koa = request?.[kKoaContext];
    if (koa === undefined) return;
    const matched = koa._matchedRoute ?? koa.routePath;
    if (typeof matched === 'string') publishRoute(request!, matched);
  } catch (err) {
    reportProblem('publishing the koa route', err);
  }
}

/** Keeps koa's context on the raw request, to read @koa/router's `_matchedRoute` at the end. */
function keepKoaContext(original: (...args: unknown[]) => unknown) {
  return function createContext(this: unknown, req: unknown, res: unknown): unknown {
    const ctx = original.call(this, req, res);
    if (req !== null && typeof req === 'object')
      (req as RawRequestRouteFields)[kKoaContext] = ctx as RawRequestRouteFields[typeof kKoaContext];
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

export function unpatchHapi(
  exports: HapiModuleLike | { default?: HapiModuleLike } | undefined,
  patcher: Patcher,
): void {
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
    const created =
      new.target !== undefined ? (Reflect.construct(original, args) as HapiServerLike) : original.apply(this, args);
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
      publishRoute(request.raw.req as IncomingMessage, route.path);
    }
  } catch (err) {
    reportProblem('reading the hapi route', err);
  }
  return h.continue;
}

// ---------------------------------------------------------------------------------------------
// express: the route template, mount paths included. The router leaves the matched route on the
// raw request (`req.route.path`, the template of the innermost path) and `req.baseUrl`, the
// *matched value* of the mount paths above it: `/tenants/acme` for a router mounted at
// `/tenants/:tenant`. The templates of those mount paths are found once per route, in the app's
// router tree (nothing is patched): an express 5 layer keeps the path it was given (`rawPath`),
// an express 4 layer only its regexp and parameter names, whose groups are replaced by `:name`
// in the base (its literal segments keep the request's spelling: express matches them
// case-insensitively); a sub-app keeps its own (`app.mountpath`, `app.parent`). What cannot be
// resolved (an express 5 RegExp or array mount path, a route reached another way) gives no
// template at all, never the base's raw value: the span then keeps the method as its name.

interface ExpressLayerLike {
  route?: unknown;
  handle?: { stack?: unknown };
  /** express 5 (router 2): the path given to `use()` */
  rawPath?: unknown;
  /** express 4: the path's regexp and its parameter names */
  regexp?: unknown;
  keys?: unknown;
}

interface ExpressAppLike {
  mountpath?: unknown;
  parent?: unknown;
  _router?: { stack?: unknown };
  router?: { stack?: unknown };
}

/** The fields of the raw request express leaves there (read defensively). */
export interface ExpressRequestLike {
  route?: { path?: unknown } | null;
  baseUrl?: unknown;
  app?: unknown;
}

const MAX_DEPTH = 8;
/** Per route: the chains of router layers it is mounted under, in its app (found once). */
const mountChains = new WeakMap<object, ExpressLayerLike[][]>();
/** Per express 4 layer: its regexp with match indices (`d`). */
const indexedRegexps = new WeakMap<object, RegExp>();

/** The template of an express route with its mount paths (`/tenants/:tenant/users/:id`), or undefined. */
export function expressRouteOf(req: ExpressRequestLike): string | undefined {
  const route = req.route;
  if (route === undefined || route === null || typeof route.path !== 'string') return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (base === '' || base === '/') return route.path;
  const mount = mountTemplate(req.app as ExpressAppLike | undefined, route, base);
  if (mount === undefined) return undefined;
  if (mount === '') return route.path;
  return route.path === '/' ? mount : mount + route.path;
}

/** The template of `base` (the matched mount paths), checked against it segment by segment. */
function mountTemplate(app: ExpressAppLike | undefined, route: object, base: string): string | undefined {
  if (app === undefined || app === null || typeof app !== 'function') return undefined;
  // Sub-apps, outermost first: each keeps the path it was mounted at.
  let prefix = '';
  let current: ExpressAppLike | undefined = app;
  for (let depth = 0; current !== undefined && current.parent !== undefined && current.parent !== null; depth++) {
    if (depth === MAX_DEPTH || typeof current.mountpath !== 'string') return undefined;
    prefix = trimSlash(current.mountpath) + prefix;
    current = current.parent as ExpressAppLike;
  }
  const rest = prefix === '' ? base : base.slice(Math.min(base.length, matchedLength(prefix, base)));
  for (const chain of chainsOf(app, route)) {
    const routers = routersTemplate(chain, rest);
    if (routers === undefined) continue;
    const template = prefix + routers;
    if (sameShape(template, base)) return template;
  }
  return undefined;
}

/** The mount layers above `route` in `app`'s router tree (each way it is mounted). */
function chainsOf(app: ExpressAppLike, route: object): ExpressLayerLike[][] {
  let chains = mountChains.get(route);
  if (chains === undefined) {
    chains = [];
    let root: { stack?: unknown } | undefined;
    try {
      root = app._router ?? app.router; // express 4 throws on `app.router`
    } catch {
      root = undefined;
    }
    if (root !== undefined && root !== null) collect(root.stack, route, [], chains, 0);
    mountChains.set(route, chains);
  }
  return chains;
}

function collect(
  stack: unknown,
  route: object,
  above: ExpressLayerLike[],
  out: ExpressLayerLike[][],
  depth: number,
): void {
  if (!Array.isArray(stack) || depth > MAX_DEPTH || out.length >= 4) return;
  for (const layer of stack as ExpressLayerLike[]) {
    if (layer === null || typeof layer !== 'object') continue;
    if (layer.route === route) out.push(above);
    else if (layer.handle !== undefined && layer.handle !== null && Array.isArray(layer.handle.stack)) {
      collect(layer.handle.stack, route, [...above, layer], out, depth + 1);
    }
  }
}

/** The templates of the router layers of `chain`, in `rest` (the base below the sub-apps). */
function routersTemplate(chain: ExpressLayerLike[], rest: string): string | undefined {
  let template = '';
  for (const layer of chain) {
    if (typeof layer.rawPath === 'string') {
      template += trimSlash(layer.rawPath); // express 5
      continue;
    }
    if (layer.rawPath !== undefined || !(layer.regexp instanceof RegExp) || !Array.isArray(layer.keys))
      return undefined;
    // express 4: the layer's own regexp on what is left of the base; its groups are the parameters.
    const re = indexed(layer as ExpressLayerLike & { regexp: RegExp });
    const m = re.exec(rest);
    if (m === null || m.index !== 0 || m.indices === undefined) return undefined;
    let piece = m[0];
    for (let i = m.length - 1; i >= 1; i--) {
      const at = m.indices[i];
      if (at === undefined) continue;
      const name = (layer.keys[i - 1] as { name?: unknown } | undefined)?.name;
      piece = piece.slice(0, at[0]) + ':' + String(name ?? i - 1) + piece.slice(at[1]);
    }
    template += trimSlash(piece);
    rest = rest.slice(m[0].length);
    if (rest !== '' && rest.charCodeAt(0) !== 47) rest = '/' + rest;
  }
  return template;
}

function indexed(layer: ExpressLayerLike & { regexp: RegExp }): RegExp {
  let re = indexedRegexps.get(layer);
  if (re === undefined) {
    const { source, flags } = layer.regexp;
    re = new RegExp(source, flags.replace(/[gy]/g, '') + (flags.includes('d') ? '' : 'd'));
    indexedRegexps.set(layer, re);
  }
  return re;
}

/** `/a/b/` -> `/a/b`, `/` -> `` (pieces are joined with their leading `/`). */
function trimSlash(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end);
}

/** How much of `base` the (literal-or-template) `prefix` covers: as many segments. */
function matchedLength(prefix: string, base: string): number {
  const segments = prefix.split('/').length - 1;
  let at = 0;
  for (let i = 0; i < segments; i++) {
    const next = base.indexOf('/', at + 1);
    at = next === -1 ? base.length : next;
  }
  return at;
}

/**
 * Whether `template` is what express matched as `base`: as many segments, a `:param` for any
 * segment, every other one equal (case-insensitively, as express matches by default).
 */
function sameShape(template: string, base: string): boolean {
  const t = trimSlash(template).split('/');
  const b = trimSlash(base).split('/');
  if (t.length !== b.length) return false;
  for (let i = 1; i < t.length; i++) {
    const want = t[i]!;
    if (want.startsWith(':')) {
      if (b[i] === '' || /[*?+()]/.test(want)) return false;
      continue;
    }
    if (want.toLowerCase() !== b[i]!.toLowerCase()) return false;
  }
  return true;
}
