import { SemconvStability, semconvStabilityFromStr } from '@opentelemetry/instrumentation';
import {
  arrayOf,
  booleanOption,
  defineSupportedVersions,
  errorKind,
  ProblemReporter,
  stringMatching,
  validateOptions,
  type OptionRule,
} from '@tracepack/core';
import { HttpInstrumentationErrorCode } from './errors';
import type { ResolvedHttpConfig } from './internal-types';
import type { HttpInstrumentationConfig, SupportedVersions } from './types';

/** The one range check of @tracepack/core (frameworks.ts checks a fastify instance's version). */
export { inMajorRange } from '@tracepack/core';

export const PACKAGE_NAME = '@tracepack/instrumentation-http';
export { PACKAGE_VERSION } from './version';

/**
 * The framework versions whose route templates are read, CommonJS and ESM alike; README and
 * tests say the same. koa and hapi are patched only within their range (the module hook checks
 * it), fastify instances only when `instance.version` is in it; express needs no patch, and
 * NestJS's routes come through express or fastify, so for them the range says what is tested.
 * `koa` is koa with @koa/router, `hapi` is `@hapi/hapi` (the template kept in hapi's own form,
 * `/clients/{id}`), `nestjs` is `@nestjs/core` on `@nestjs/platform-express` or `-fastify`.
 */
export const SUPPORTED_VERSIONS: SupportedVersions = defineSupportedVersions({
  express: '>=4 <6',
  fastify: '>=4 <6',
  koa: '>=2 <4',
  hapi: '>=21 <22',
  nestjs: '>=12 <13',
});

export const DEFAULT_IGNORE_PATHS: readonly string[] = Object.freeze(['/health/alive', '/health/ready', '/metrics']);

/** The placeholder that replaces an id-like path segment. */
export const ID_PLACEHOLDER = '{id}';

const CONFIG_PATH = 'instrumentations.http';

// ---------------------------------------------------------------------------------------------
// Config

const ROOT_PATH = stringMatching(/^\//, 'a path starting with "/"');
const HEADER_NAME = stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name (letters, digits, -)');

/** The options and their checks (@tracepack/core's one options helper). */
const OPTION_RULES: Readonly<Record<keyof HttpInstrumentationConfig, OptionRule>> = {
  enabled: booleanOption,
  ignorePaths: arrayOf(ROOT_PATH, 'an array of paths starting with "/"'),
  routes: arrayOf(ROOT_PATH, 'an array of paths starting with "/"'),
  captureRequestHeaders: arrayOf(HEADER_NAME, 'an array of header names'),
  captureUserAgent: booleanOption,
  outgoing: booleanOption,
};

/**
 * Validates the options and applies every default, in one place. Throws on set-up mistakes.
 * Keys it does not know are left alone (the config comes from @tracepack/config's schema,
 * which refuses them, or from code typed by `HttpInstrumentationConfig`).
 */
export function resolveConfig(
  config: HttpInstrumentationConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedHttpConfig {
  const given = validateOptions(config ?? undefined, OPTION_RULES, CONFIG_PATH, {
    code: HttpInstrumentationErrorCode.INVALID_OPTION,
    allowUnknown: true,
  }) as HttpInstrumentationConfig;
  return {
    enabled: given.enabled ?? true,
    ignorePaths: given.ignorePaths ? [...given.ignorePaths] : [...DEFAULT_IGNORE_PATHS],
    routes: given.routes ? [...given.routes] : [],
    captureRequestHeaders: given.captureRequestHeaders?.map((h) => h.toLowerCase()) ?? [],
    captureUserAgent: given.captureUserAgent ?? true,
    outgoing: given.outgoing ?? true,
    // `http/dup` in OTEL_SEMCONV_STABILITY_OPT_IN asks for the old attribute names too.
    emitOldSemconv:
      semconvStabilityFromStr('http', env['OTEL_SEMCONV_STABILITY_OPT_IN']) === SemconvStability.DUPLICATE,
  };
}

// ---------------------------------------------------------------------------------------------
// Paths

/** The path part of a request target: no query string, no fragment; absolute-form reduced to its path. */
export function pathOf(target: string | undefined): string {
  if (!target) return '/';
  let end = target.length;
  const q = target.indexOf('?');
  if (q !== -1) end = q;
  const h = target.indexOf('#');
  if (h !== -1 && h < end) end = h;
  let path = end === target.length ? target : target.slice(0, end);
  if (path.charCodeAt(0) !== 47 /* / */) {
    // absolute-form (`http://host/path`, proxies) or asterisk-form (`*`).
    const scheme = path.indexOf('://');
    if (scheme === -1) return path === '*' ? '*' : '/' + path;
    const slash = path.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  return path;
}

const HEX = /^[0-9a-f]{8,}$/i;
const VERSION = /^v\d{1,3}(\.\d{1,3}){0,2}$/i;

/**
 * Whether one path segment looks like an identifier or a secret rather than a word:
 * numbers, UUIDs, hex strings, e-mail addresses, base64-ish or long random tokens.
 * API versions (`v1`, `v2.1`) and ordinary words (`clients`, `oauth2`) are kept.
 */
export function isIdLike(segment: string): boolean {
  return isIdLikeAt(segment, 0, segment.length);
}

/**
 * `isIdLike` of `text.slice(from, to)`, without the slice: it runs on every segment of every
 * path a span is named after, and a word (the common case) is decided from character counts.
 */
function isIdLikeAt(text: string, from: number, to: number): boolean {
  const n = to - from;
  if (n <= 0) return false;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let email = false; // `@`, or `%40` (an encoded one)
  let percent = false;
  let tokenChars = true; // only A-Z a-z 0-9 _ - + = . ~ % ! $
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c === 64 /* @ */) email = true;
    else if (c === 37 /* % */) {
      percent = true;
      if (i + 2 < to && text.charCodeAt(i + 1) === 52 /* 4 */ && text.charCodeAt(i + 2) === 48 /* 0 */) email = true;
    } else if (c !== 95 && c !== 45 && c !== 43 && c !== 61 && c !== 46 && c !== 126 && c !== 33 && c !== 36)
      tokenChars = false;
  }
  if (email) return true; // e-mail address, user@host
  if (digits === n) return true; // 42, 20240101
  if (digits > 0) {
    const first = text.charCodeAt(from);
    if ((first === 118 || first === 86) /* v, V */ && VERSION.test(text.slice(from, to))) return false; // v1, v2.1
    // UUIDs (32+ characters), abc123, 2024-01-31, inv_8f2k9, a1b2c3, one digit in a long token
    if (digits >= 2 || n >= 12) return true;
    if (n >= 8 && HEX.test(text.slice(from, to))) return true; // short hex with one digit
  }
  if (n >= 32) return true; // hashes, JWTs, long slugs of random text
  // base64-ish without digits: long, token characters, mixed case well beyond camelCase.
  if (n >= 16 && upper >= 3 && lower >= 3 && tokenChars) return true;
  // anything percent-encoded beyond a few characters is user data, not a route word.
  if (percent) return true;
  return false;
}

/**
 * The path with id-like segments replaced by `{id}` (see `isIdLike`). Give it a path without
 * query string (`pathOf`). `/clients/42/invoices/9f3c...` becomes `/clients/{id}/invoices/{id}`.
 * A string without a leading `/` is scrubbed too, its first segment included (`42/x` -> `{id}/x`).
 */
export function scrubPath(path: string): string {
  // `start`: the index of the `/` before the current segment; -1 before a first segment that has none.
  let start = path.charCodeAt(0) === 47 /* / */ ? 0 : -1;
  let out: string | undefined;
  for (let i = start + 1; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47) {
      const sep = start === -1 ? '' : '/';
      if (isIdLikeAt(path, start + 1, i)) {
        out = (out ?? path.slice(0, Math.max(start, 0))) + sep + ID_PLACEHOLDER;
      } else if (out !== undefined) {
        out += sep + path.slice(start + 1, i);
      }
      start = i;
    }
  }
  return out ?? path;
}

/** Matches `ignorePaths`: exact paths, or prefixes written with a trailing `*`. */
export interface PathMatcher {
  (path: string): boolean;
}

export function compileIgnorePaths(patterns: readonly string[]): PathMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  if (exact.size === 0 && prefixes.length === 0) return () => false;
  return (path) => {
    if (exact.has(path)) return true;
    for (let i = 0; i < prefixes.length; i++) if (path.startsWith(prefixes[i]!)) return true;
    return false;
  };
}

interface CompiledRoute {
  template: string;
  /** literal segment, or `null` for a `:param` */
  segments: (string | null)[];
  /** trailing `*`: matches the rest of the path */
  rest: boolean;
  literals: number;
}

/** Finds the template among the `routes` option that matches a path. */
export interface RouteMatcher {
  (path: string): string | undefined;
}

/**
 * Compiles route templates (`/clients/:id`, `/files/*`). The most specific template wins:
 * more literal segments first, then the order given; `/clients/search` beats `/clients/:id`.
 */
export function compileRoutes(templates: readonly string[]): RouteMatcher {
  const compiled: CompiledRoute[] = templates.map((template) => {
    const parts = splitPath(template);
    const rest = parts[parts.length - 1] === '*';
    if (rest) parts.pop();
    const segments = parts.map((s) => (s.startsWith(':') ? null : s));
    return { template, segments, rest, literals: segments.filter((s) => s !== null).length };
  });
  compiled.sort((a, b) => b.literals - a.literals || Number(a.rest) - Number(b.rest));
  if (compiled.length === 0) return () => undefined;
  // Per request: the segments `splitPath(path)` would give, walked in place (no arrays).
  return (path) => {
    let end = path.length;
    if (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
    let count = 0;
    if (end !== 1 || path.charCodeAt(0) !== 47) {
      count = 1;
      for (let i = 1; i < end; i++) if (path.charCodeAt(i) === 47) count++;
    }
    outer: for (const route of compiled) {
      const n = route.segments.length;
      if (route.rest ? count < n : count !== n) continue;
      let start = 1;
      for (let i = 0; i < n; i++) {
        let stop = path.indexOf('/', start);
        if (stop === -1 || stop > end) stop = end;
        if (stop < start) stop = start;
        const want = route.segments[i]!;
        if (want === null ? stop === start : stop - start !== want.length || !path.startsWith(want, start))
          continue outer;
        start = stop + 1;
      }
      return route.template;
    }
    return undefined;
  };
}

function splitPath(path: string): string[] {
  let p = path;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '/' ? [] : p.slice(1).split('/');
}

// ---------------------------------------------------------------------------------------------
// Attributes

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/** `http.request.method`: the known methods upper-case, anything else `_OTHER` (semconv). */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** What `parseHost` makes of a `Host` header. */
export interface ParsedHost {
  address: string | undefined;
  port: number;
}

const HOST_CACHE_SIZE = 64;

/**
 * `parseHost` remembering its last answers: a server sees few distinct `Host` headers. Bounded
 * (emptied when full), since the header is the client's to choose. The answers are shared:
 * read them, never change them.
 */
export function cachedParseHost(defaultPort: number): (host: string | undefined) => ParsedHost {
  const cache = new Map<string, ParsedHost>();
  const none = parseHost(undefined, defaultPort);
  return (host) => {
    if (!host) return none;
    let parsed = cache.get(host);
    if (parsed === undefined) {
      if (cache.size >= HOST_CACHE_SIZE) cache.clear();
      parsed = parseHost(host, defaultPort);
      cache.set(host, parsed);
    }
    return parsed;
  };
}

/** Splits a `Host` header into `server.address` and `server.port` (IPv6 literals kept in brackets-free form). */
export function parseHost(host: string | undefined, defaultPort: number): ParsedHost {
  if (!host) return { address: undefined, port: defaultPort };
  let address = host;
  let portText: string | undefined;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    address = close === -1 ? host : host.slice(1, close);
    if (close !== -1 && host.charCodeAt(close + 1) === 58 /* : */) portText = host.slice(close + 2);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1) {
      address = host.slice(0, colon);
      portText = host.slice(colon + 1);
    }
  }
  const port = portText ? Number(portText) : defaultPort;
  return { address, port: Number.isInteger(port) && port > 0 && port < 65536 ? port : defaultPort };
}

// ---------------------------------------------------------------------------------------------
// Runtime problems: never thrown into the application, reported once with a count.

/**
 * One reporter for the whole package (the hooks run for every server and framework): each kind
 * of problem is logged through `diag` the first time, then only counted. Only the error's class
 * is named: messages may carry request data.
 */
const problems = new ProblemReporter({
  packageName: PACKAGE_NAME,
  level: 'warn',
  startLine: ({ problem, detail }) =>
    `${problem} failed (${detail}); the request continues untraced or partly traced. Further occurrences are counted, see httpInstrumentationProblems().`,
});

/** Reports a runtime tracing problem through `diag` the first time, then only counts it. */
export function reportProblem(what: string, err: unknown): void {
  problems.failure(what, { error: err, detail: errorKind(err) || 'undefined' });
}

/** How many runtime problems of each kind were swallowed so far. */
export function httpInstrumentationProblems(): Record<string, number> {
  return problems.counts();
}
