import type { SupportedVersions as CoreSupportedVersions } from '@tracepack/core';
import type { IncomingMessage } from 'node:http';

/**
 * Options of `createHttpInstrumentations()`. They mirror the `tracing.instrumentations.http`
 * block of the config schema (`ignore_paths` -> `ignorePaths`, and so on).
 */
export interface HttpInstrumentationConfig {
  /**
   * Turns the whole package off: `createHttpInstrumentations()` returns no instrumentation,
   * so nothing is patched and no SERVER or CLIENT span is made.
   * @default true
   */
  enabled?: boolean;
  /**
   * Request paths that are never traced (no span, no context). Each entry is an exact path
   * (`/metrics`) or, when it ends with `*`, a prefix (`/internal/*`). Matched on the path
   * without the query string.
   * @default ['/health/alive', '/health/ready', '/metrics']
   */
  ignorePaths?: readonly string[];
  /**
   * Route templates for plain `node:http` servers, e.g. `/clients/:id` (`:name` is one
   * segment, a trailing `*` the rest of the path). Frameworks (express, fastify, koa with
   * @koa/router, hapi, NestJS) report their own templates, which take precedence.
   * @default []
   */
  routes?: readonly string[];
  /**
   * Request headers recorded as `http.request.header.<name>` (lower-cased, `string[]`),
   * named one by one. Nothing is recorded by default.
   * @default []
   */
  captureRequestHeaders?: readonly string[];
  /**
   * Record the `User-Agent` request header as `user_agent.original`.
   * @default true
   */
  captureUserAgent?: boolean;
  /**
   * CLIENT spans for outgoing `node:http`/`node:https` requests and `fetch` (undici), with
   * the trace context injected downstream by the global propagator.
   * @default true
   */
  outgoing?: boolean;
}

/** Supported version ranges of the frameworks whose route templates are read (CJS and ESM). */
export type SupportedVersions = CoreSupportedVersions<'express' | 'fastify' | 'koa' | 'hapi' | 'nestjs'>;

/**
 * The message of `HTTP_SERVER_ROUTE_CHANNEL` (`tracepack:http.server.route`): the route template
 * of an incoming request, published where the server instrumentation resolves it (fastify's
 * `onRequest`, hapi's `onPreAuth`, koa when the response finishes), for every request whether
 * tracing samples it or not, and only while the channel has subscribers. Subscribe with
 * `diagnostics_channel.subscribe(HTTP_SERVER_ROUTE_CHANNEL, ...)`; the request is the raw
 * `node:http` one, the same object as in `http.server.request.start`.
 */
export interface HttpServerRouteMessage {
  readonly request: IncomingMessage;
  /** The template in the framework's own form: `/users/:id` (fastify, koa), `/users/{id}` (hapi). */
  readonly route: string;
}
