import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { HttpInstrumentationConfig as OtelHttpConfig } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { UndiciInstrumentationConfig, UndiciRequest } from '@opentelemetry/instrumentation-undici';
import {
  ATTR_ERROR_TYPE,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, RequestOptions } from 'node:http';
import type { ResolvedHttpConfig } from './internal-types';
import { TracepackHttpServerInstrumentation } from './server';
import type { HttpInstrumentationConfig } from './types';
import { pathOf, reportProblem, resolveConfig, scrubPath } from './utils';

/**
 * The instrumentations for HTTP, to pass to `registerInstrumentations()` (or the tracepack
 * start-up package) before the application loads express, fastify, koa or makes requests:
 *
 * - a lean SERVER instrumentation (one root span per request, named after the route);
 * - when `outgoing` is on, `@opentelemetry/instrumentation-http` with its incoming side turned
 *   off and `@opentelemetry/instrumentation-undici` (fetch), both made to record the scrubbed
 *   path only: no query string, no headers, no raw ids.
 *
 * Throws `HttpInstrumentationConfigError` on invalid options.
 */
export function createHttpInstrumentations(config: HttpInstrumentationConfig = {}): Instrumentation[] {
  const settings = resolveConfig(config);
  // Nothing at all when off: registerInstrumentations() would enable a disabled instrumentation.
  if (!settings.enabled) return [];
  const instrumentations: Instrumentation[] = [new TracepackHttpServerInstrumentation(settings)];
  if (settings.outgoing) {
    instrumentations.push(new HttpInstrumentation(outgoingHttpConfig(settings)));
    instrumentations.push(new UndiciInstrumentation(outgoingFetchConfig(settings)));
    // Core modules are patched when next required: make sure that happens now, whatever
    // the application required before us (a require, not an import: it must run here, after
    // the instrumentations exist).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:http');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:https');
  }
  return instrumentations;
}

/** `@opentelemetry/instrumentation-http`, client side only, with a scrubbed `url.full`. */
function outgoingHttpConfig(settings: ResolvedHttpConfig): OtelHttpConfig {
  return {
    disableIncomingRequestInstrumentation: true,
    // Its own attributes are merged under these: they replace `url.full` (query string and
    // raw path) and, when asked, drop the user agent.
    startOutgoingSpanHook: (options: RequestOptions): Attributes => {
      try {
        const attributes: Attributes = { [ATTR_URL_FULL]: outgoingUrl(options) };
        if (!settings.captureUserAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = undefined;
        return attributes;
      } catch (err) {
        reportProblem('describing an outgoing request', err);
        return { [ATTR_URL_FULL]: undefined };
      }
    },
    // It marks a >= 400 answer as an ERROR span but does not say why: same error.type as undici.
    responseHook: (span, response) => {
      const status = (response as IncomingMessage).statusCode;
      if (typeof status === 'number' && status >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(status));
    },
  };
}

/** `@opentelemetry/instrumentation-undici` (fetch) with a scrubbed `url.full` and `url.path` and no `url.query`. */
function outgoingFetchConfig(settings: ResolvedHttpConfig): UndiciInstrumentationConfig {
  return {
    startSpanHook: (request: UndiciRequest): Attributes => {
      // `undefined` values are dropped by the SDK, so these remove what undici computed.
      const attributes: Attributes = {
        [ATTR_URL_QUERY]: undefined,
        [ATTR_URL_FULL]: undefined,
        [ATTR_URL_PATH]: undefined,
      };
      try {
        const path = scrubPath(pathOf(request.path));
        attributes[ATTR_URL_PATH] = path;
        attributes[ATTR_URL_FULL] = request.origin.replace(/\/+$/, '') + path;
      } catch (err) {
        reportProblem('describing an outgoing fetch', err);
      }
      if (!settings.captureUserAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = undefined;
      return attributes;
    },
  };
}

/** `scheme://host[:port]/scrubbed/path` for an outgoing `http.request` (no credentials, no query). */
function outgoingUrl(options: RequestOptions): string {
  const protocol = options.protocol ?? 'http:';
  const hostname = options.hostname ?? hostOnly(options.host) ?? 'localhost';
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  const port = options.port !== undefined && options.port !== null && options.port !== '' ? String(options.port) : '';
  const defaultPort = protocol === 'https:' ? '443' : '80';
  const portPart = port === '' || port === defaultPort ? '' : `:${port}`;
  return `${protocol}//${host}${portPart}${scrubPath(pathOf(options.path ?? '/'))}`;
}

function hostOnly(host: string | null | undefined): string | undefined {
  if (!host) return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 || host.indexOf(':', colon + 1) !== -1 ? host : host.slice(0, colon);
}
