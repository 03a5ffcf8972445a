import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { versionsFor } from '@tracepack/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import * as http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';
import * as https from 'node:https';
import {
  expressRouteOf,
  FASTIFY_INITIALIZATION_CHANNEL,
  onFastifyInitialization,
  patchHapi,
  patchKoa,
  publishKoaRoutes,
  unpatchHapi,
  unpatchKoa,
} from './frameworks';
import type { Patcher } from './frameworks';
import { kKoaContext, kRequestContext, kRoute, kServerState } from './internal-types';
import type {
  HapiModuleLike,
  KoaModuleLike,
  RawRequestRouteFields,
  ResolvedHttpConfig,
  ServerRequestState,
} from './internal-types';
import {
  compileIgnorePaths,
  compileRoutes,
  normalizeMethod,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  cachedParseHost,
  pathOf,
  reportProblem,
  scrubPath,
  SUPPORTED_VERSIONS,
} from './utils';
import type { ParsedHost, PathMatcher, RouteMatcher } from './utils';

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
interface EmitHolder {
  emit: Emit;
}
type ResponseWithState = ServerResponse & { [kServerState]?: ServerRequestState };
type RequestWithContext = IncomingMessage & { [kRequestContext]?: Context };

/**
 * The SERVER side: one root span per incoming request, hand-written to stay lean.
 *
 * Design: `http.Server.prototype.emit` (and `https.Server.prototype.emit`, which inherits from
 * `tls.Server`) is wrapped, as OpenTelemetry's own instrumentation does, so that the `'request'`
 * listeners run inside `context.with(spanContext, ...)` and every async continuation of the
 * handler sees the span. diagnostics_channel (`http.server.request.start`) would avoid the patch
 * but publishes outside any scope we could enter without reaching into the context manager's
 * private AsyncLocalStorage, so we do not use it.
 *
 * The request stream's events (`'data'`, `'end'`) are emitted by the HTTP parser, in the async
 * context of the connection, not of the request: a span started in `req.on('end')` would have no
 * parent. OpenTelemetry answers with `context.bind(ctx, req)`, which patches eight methods on
 * every request and wraps every listener (measured: 2 to 4 us per request on a hello server). Here
 * `http.IncomingMessage.prototype.emit` is wrapped once instead: a request we traced carries its
 * context (`kRequestContext`), and an event of such a request that has listeners and is emitted
 * outside that context is emitted inside it. Listeners are not wrapped, so `removeListener()`,
 * `listeners()` and `once()` are untouched; other IncomingMessages (client responses) pay one
 * property read per event.
 *
 * Per request: one `propagation.extract`, one span and one context; an unsampled request
 * (`!span.isRecording()`) stops there. A recording span then gets its attributes, one state
 * object on the response and one shared (closure-free) `'close'` listener. Sampler contract: the
 * sampler sees the span name (the method, or `HTTP`), the kind and the parent, but no attributes:
 * they are set right after the decision (the ratio, parent-based and Jaeger remote samplers
 * ignore attributes; the SDK would copy and check them for every unsampled request), so a span
 * processor's `onStart` sees the span before they are set. The route template is resolved once,
 * when the response closes: fastify and hapi (a hook of theirs left it on the raw request), koa
 * (`createContext` patched to keep the context on the raw request, `_matchedRoute` from
 * @koa/router), express (`req.route.path` behind the templates of its mount paths; NestJS on
 * express too), then the `routes` option. With no template the span keeps the method as its
 * name and records the scrubbed path as `url.path`. How each framework's hook is installed, for
 * `require` and `import` alike, is in frameworks.ts. The hooks of fastify, hapi and koa also
 * publish the route of every request, sampled or not, on `HTTP_SERVER_ROUTE_CHANNEL` while it
 * has subscribers (@tracepack/usage counts requests by route template that way).
 */
export class TracepackHttpServerInstrumentation extends InstrumentationBase {
  private readonly _settings: ResolvedHttpConfig;
  private readonly _isIgnored: PathMatcher;
  private readonly _matchRoute: RouteMatcher;
  private readonly _headerAttributes: [header: string, attribute: string][];
  private readonly _httpHost: (host: string | undefined) => ParsedHost = cachedParseHost(80);
  private readonly _httpsHost: (host: string | undefined) => ParsedHost = cachedParseHost(443);
  private _serverPatched = false;
  /** InstrumentationBase's protected `_wrap` / `_unwrap`, for the module patches in frameworks.ts. */
  private readonly _patcher: Patcher = {
    wrap: (target, name, wrapper) =>
      this._wrap(target as Record<string, never>, name, wrapper as (original: never) => never),
    unwrap: (target, name) => this._unwrap(target as Record<string, never>, name),
  };
  private readonly _endRequest: (state: ServerRequestState, res: ServerResponse) => void;

  constructor(settings: ResolvedHttpConfig) {
    // enabled: false here, enable() at the end: InstrumentationBase would otherwise call
    // enable() before this constructor has set its own fields.
    super(PACKAGE_NAME, PACKAGE_VERSION, { enabled: false });
    this._settings = settings;
    this._isIgnored = compileIgnorePaths(settings.ignorePaths);
    this._matchRoute = compileRoutes(settings.routes);
    this._headerAttributes = settings.captureRequestHeaders.map((h) => [h, `http.request.header.${h}`]);
    this._endRequest = (state, res) => this._end(state, res);
    this.setConfig({ enabled: settings.enabled });
    if (settings.enabled) this.enable();
  }

  protected override init(): InstrumentationNodeModuleDefinition[] {
    // fastify needs no module patch: see `enable()`. express needs none at all.
    return [
      new InstrumentationNodeModuleDefinition(
        'koa',
        versionsFor(SUPPORTED_VERSIONS, 'koa'),
        (exports: KoaModuleLike | undefined) => {
          patchKoa(exports, this._patcher);
          publishKoaRoutes(true);
          return exports;
        },
        (exports: KoaModuleLike | undefined) => {
          unpatchKoa(exports, this._patcher);
          publishKoaRoutes(false);
        },
      ),
      new InstrumentationNodeModuleDefinition(
        '@hapi/hapi',
        versionsFor(SUPPORTED_VERSIONS, 'hapi'),
        (exports: HapiModuleLike | undefined) => {
          patchHapi(exports, this._patcher);
          return exports;
        },
        (exports: HapiModuleLike | undefined) => unpatchHapi(exports, this._patcher),
      ),
    ];
  }

  override enable(): void {
    super.enable();
    // Apply to the core prototypes directly: works whatever was required before us.
    if (this._serverPatched || this._settings === undefined) return;
    this._serverPatched = true;
    this._wrap(http.Server.prototype as unknown as EmitHolder, 'emit', (original: Emit) =>
      this._patchEmit(original, 'http'),
    );
    this._wrap(https.Server.prototype as unknown as EmitHolder, 'emit', (original: Emit) =>
      this._patchEmit(original, 'https'),
    );
    this._wrap(http.IncomingMessage.prototype as unknown as EmitHolder, 'emit', patchRequestEmit);
    // Every fastify instance created from now on, from any copy, required or imported.
    diagnosticsChannel.subscribe(FASTIFY_INITIALIZATION_CHANNEL, onFastifyInitialization);
  }

  override disable(): void {
    super.disable();
    if (!this._serverPatched) return;
    this._serverPatched = false;
    this._unwrap(http.Server.prototype as unknown as EmitHolder, 'emit');
    this._unwrap(https.Server.prototype as unknown as EmitHolder, 'emit');
    this._unwrap(http.IncomingMessage.prototype as unknown as EmitHolder, 'emit');
    diagnosticsChannel.unsubscribe(FASTIFY_INITIALIZATION_CHANNEL, onFastifyInitialization);
  }

  private _patchEmit(original: Emit, scheme: 'http' | 'https'): Emit {
    const instrumentation = this;
    return function emit(this: unknown, event: string | symbol, req?: unknown, res?: unknown): boolean {
      if (event !== 'request' || arguments.length !== 3) {
        // eslint-disable-next-line prefer-rest-params
        return original.apply(this, arguments as unknown as [string]);
      }
      const ctx = instrumentation._start(req as IncomingMessage, res as ServerResponse, scheme);
      if (ctx === undefined) return original.call(this, event, req, res);
      try {
        return context.with(ctx, emitOn, undefined, original, this, event, req, res);
      } catch (err) {
        instrumentation._endWithException(res as ResponseWithState, err);
        throw err;
      }
    };
  }

  /** Starts the span; `undefined` when the request is ignored or something went wrong. */
  private _start(req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https'): Context | undefined {
    try {
      const path = pathOf(req.url);
      if (this._isIgnored(path)) return undefined;
      const method = normalizeMethod(req.method);
      let parent: Context;
      try {
        parent = propagation.extract(context.active(), req.headers);
      } catch (err) {
        // A propagator that throws on a malformed header: start a new trace.
        reportProblem('extracting the trace context', err);
        parent = context.active();
      }
      // No attributes for the sampler (see the class comment): most requests are not sampled,
      // and the SDK would copy and check them all before sampling.
      const span = this.tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: SpanKind.SERVER }, parent);
      const ctx = trace.setSpan(parent, span);
      (req as RequestWithContext)[kRequestContext] = ctx;
      // Unsampled: the context still carries the (non-recording) span to the children, but
      // nothing is named, measured or ended.
      if (!span.isRecording()) return ctx;
      span.setAttributes(this._requestAttributes(req, method, scheme));
      const state: ServerRequestState = { span, path, method, onEnd: this._endRequest };
      (res as ResponseWithState)[kServerState] = state;
      res.on('close', onResponseClose); // on, not once: once() allocates a wrapper per call
      return ctx;
    } catch (err) {
      reportProblem('starting the server span', err);
      return undefined;
    }
  }

  /** The attributes known when the request arrives, for a recording span. */
  private _requestAttributes(req: IncomingMessage, method: string, scheme: 'http' | 'https'): Attributes {
    const settings = this._settings;
    const headers = req.headers;
    const { address, port } = (scheme === 'https' ? this._httpsHost : this._httpHost)(headers.host);
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_SCHEME]: scheme,
      [ATTR_SERVER_ADDRESS]: address,
      [ATTR_SERVER_PORT]: port,
      [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    };
    if (settings.captureUserAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = headers['user-agent'];
    for (const [header, attribute] of this._headerAttributes) {
      const value = headers[header];
      if (value !== undefined) attributes[attribute] = Array.isArray(value) ? value : [value];
    }
    if (settings.emitOldSemconv) {
      attributes['http.method'] = method;
      attributes['http.scheme'] = scheme;
      attributes['net.host.name'] = address;
      attributes['net.host.port'] = port;
      attributes['http.flavor'] = req.httpVersion;
      if (settings.captureUserAgent) attributes['http.user_agent'] = headers['user-agent'];
    }
    return attributes;
  }

  /** Names and ends the span; runs once per request, when the response closes. */
  private _end(state: ServerRequestState, res: ServerResponse): void {
    const span = state.span;
    try {
      const route = this._routeOf(res.req as (IncomingMessage & RawRequestRouteFields) | undefined, state.path);
      if (route !== undefined) {
        span.updateName(`${state.method === '_OTHER' ? 'HTTP' : state.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      } else {
        // No template: the name stays the method (`GET`, `HTTP`), as the HTTP semantic
        // conventions ask, so that no word of the path (`/users/alice`) reaches the name, which
        // backends index as the operation. The scrubbed path goes to `url.path` only.
        span.setAttribute(ATTR_URL_PATH, scrubPath(state.path));
      }
      if (res.headersSent) {
        const status = res.statusCode;
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (this._settings.emitOldSemconv) span.setAttribute('http.status_code', status);
        if (status >= 400) {
          span.setAttribute(ATTR_ERROR_TYPE, String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      if (!res.writableFinished) {
        // The connection closed before the response was complete: the client went away
        // (or the server destroyed the socket). Nothing useful reached the client.
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    } catch (err) {
      reportProblem('ending the server span', err);
    }
    span.end();
  }

  /** A 'request' listener threw synchronously: record the error class (never the message). */
  private _endWithException(res: ResponseWithState, err: unknown): void {
    const state = res[kServerState];
    if (state === undefined) return;
    res[kServerState] = undefined;
    try {
      state.span.setAttribute(ATTR_ERROR_TYPE, err instanceof Error ? err.constructor.name || err.name : '_OTHER');
      state.span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (e) {
      reportProblem('recording a thrown error', e);
    }
    this._end(state, res);
  }

  private _routeOf(req: (IncomingMessage & RawRequestRouteFields) | undefined, path: string): string | undefined {
    if (req !== undefined) {
      const hooked = req[kRoute]; // fastify, hapi
      if (typeof hooked === 'string') return hooked;
      const koa = req[kKoaContext];
      if (koa !== undefined) {
        const matched = koa._matchedRoute ?? koa.routePath;
        if (typeof matched === 'string') return matched;
      }
      // express (and NestJS on it): set on the raw request by the router. A mount path may hold
      // a parameter (`/tenants/:tenant`) whose matched value is all `req.baseUrl` keeps: the
      // template is looked up in the app (frameworks.ts), never taken from the base.
      const express = expressRouteOf(req);
      if (express !== undefined) return express;
    }
    return this._matchRoute(path);
  }
}

// ---------------------------------------------------------------------------------------------
// Events of the request: its listeners run in the request's context (see the class comment).

/** `emit` of `IncomingMessage.prototype`. */
function patchRequestEmit(original: Emit): Emit {
  return function emit(this: unknown, event: string | symbol): boolean {
    const ctx = (this as RequestWithContext)[kRequestContext];
    if (ctx === undefined || (this as EventEmitter).listenerCount(event) === 0 || context.active() === ctx) {
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as [string]);
    }
    // eslint-disable-next-line prefer-rest-params
    return context.with(ctx, Reflect.apply, undefined, original, this, arguments) as boolean;
  };
}

/** Calls the original `emit`; a plain function, so that `context.with` binds nothing per call. */
function emitOn(original: Emit, target: unknown, event: string | symbol, req: unknown, res: unknown): boolean {
  return original.call(target, event, req, res);
}

// ---------------------------------------------------------------------------------------------
// The end of a request.

function onResponseClose(this: ResponseWithState): void {
  const state = this[kServerState];
  if (state === undefined) return;
  this[kServerState] = undefined;
  state.onEnd(state, this);
}
