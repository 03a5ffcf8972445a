// The pg side: wrappers for `Client.prototype.query`, `Client.prototype.connect` and pg-pool's
// `Pool.prototype.connect`, all public methods of node-postgres. A wrapper captures the call
// (statement text, prepared statement name, server), hands it to the CallTracer and reports how
// the call ended, through whichever completion pg uses for it: a callback, the promise it
// returns, or the events of a submittable. It never reads a bound value and never builds a span.

import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { AnyFunction, CallTracer, ServerTarget, StatementCall, TracedCall } from './internal-types';
import {
  bindToCaller,
  endingCallback,
  isEmitter,
  observeEmitter,
  observePromise,
  unwrappedCallback,
} from './completion';
import { isThenable, optionalString, portNumber } from './utils';
import type { ProblemReporter } from '@tracepack/core';

type Fields = Record<string, unknown>;

/** A pg.Client's public connection settings (`host`, `port`, `database`); never `user` or `password`. */
function clientServer(client: unknown): ServerTarget {
  const c = (client ?? {}) as Fields;
  return { address: optionalString(c['host']), port: portNumber(c['port']), namespace: optionalString(c['database']) };
}

/**
 * A pg.Pool's public `options` (`host`, `port`, `database`, or the same read from `connectionString`,
 * whose user and password are never read).
 */
function poolServer(pool: unknown): ServerTarget {
  const options = ((pool as Fields | undefined)?.['options'] ?? {}) as Fields;
  let url: URL | undefined;
  try {
    url = typeof options['connectionString'] === 'string' ? new URL(options['connectionString']) : undefined;
  } catch {
    url = undefined;
  }
  return {
    address: optionalString(url?.hostname) ?? optionalString(options['host']),
    port: portNumber(url?.port) ?? portNumber(options['port']),
    namespace:
      optionalString(url ? decodeURIComponent(url.pathname.slice(1)) : undefined) ??
      optionalString(options['database']),
  };
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null;
}

/** The statement of `client.query(...)`: a string, a `{ text }` config, or a submittable's `text`. */
function statementOf(client: unknown, first: unknown): StatementCall | undefined {
  if (typeof first === 'string') return { text: first, server: clientServer(client) };
  if (isObject(first) && typeof first['text'] === 'string') {
    return { text: first['text'], preparedStatementName: optionalString(first['name']), server: clientServer(client) };
  }
  return undefined;
}

/**
 * How this call will tell that it ended, read the way pg reads its arguments (client.js `query`,
 * utils.js `normalizeQueryConfig`), or undefined when it cannot be seen (then the call is not
 * traced rather than left with a span that never ends).
 */
type Completion =
  /** `args[index]` is the callback. */
  | { kind: 'argument'; index: number }
  /** A `{ text, callback }` config: pg takes the callback from the config. */
  | { kind: 'config-callback'; callback: AnyFunction }
  /** A submittable (`new pg.Query(text, values, callback)`) that already holds its callback. */
  | { kind: 'submittable-callback'; submittable: Fields; callback: AnyFunction }
  /** A submittable without a callback: its `end` and `error` events. */
  | { kind: 'events' }
  /** No callback at all: pg returns a promise. */
  | { kind: 'promise' };

function completionOf(args: readonly unknown[]): Completion | undefined {
  const [first, values, callback] = args;
  if (isObject(first) && typeof first['submit'] === 'function') {
    // client.js: `if (!query.callback) query.callback = values-if-a-function || callback`.
    if (first['callback']) {
      return typeof first['callback'] === 'function'
        ? { kind: 'submittable-callback', submittable: first, callback: first['callback'] as AnyFunction }
        : undefined;
    }
    if (typeof values === 'function') return { kind: 'argument', index: 1 };
    if (callback) return typeof callback === 'function' ? { kind: 'argument', index: 2 } : undefined;
    return isEmitter(first) ? { kind: 'events' } : undefined;
  }
  // normalizeQueryConfig: the third argument wins, then a function second argument, then config.callback.
  if (callback) return typeof callback === 'function' ? { kind: 'argument', index: 2 } : undefined;
  if (typeof values === 'function') return { kind: 'argument', index: 1 };
  if (isObject(first) && first['callback']) {
    return typeof first['callback'] === 'function'
      ? { kind: 'config-callback', callback: first['callback'] as AnyFunction }
      : undefined;
  }
  return { kind: 'promise' };
}

/**
 * Puts our callback where pg will find it. A `{ text, callback }` config gets it as the argument
 * after the values, which pg itself copies into the config (as it does for any callback argument):
 * the application's config object is never given a property pg would not have given it.
 */
function installCallback(completion: Completion, args: unknown[], call: TracedCall, caller: Context): void {
  switch (completion.kind) {
    case 'argument':
      args[completion.index] = endingCallback(args[completion.index] as AnyFunction, call, caller);
      return;
    case 'config-callback': {
      const callback = endingCallback(unwrappedCallback(completion.callback), call, caller);
      if (args[1] && typeof args[1] !== 'function') args[2] = callback;
      else args[1] = callback;
      return;
    }
    case 'submittable-callback':
      // pg reads and replaces `query.callback` itself (client.js, for read timeouts).
      completion.submittable['callback'] = endingCallback(unwrappedCallback(completion.callback), call, caller);
      return;
    default:
      return;
  }
}

export function pgClientQuery(original: AnyFunction, tracer: () => CallTracer, problems: ProblemReporter): AnyFunction {
  return function query(this: unknown, ...args: unknown[]): unknown {
    let call: TracedCall | undefined;
    let completion: Completion | undefined;
    try {
      const statement = statementOf(this, args[0]);
      completion = statement && completionOf(args);
      if (statement && completion) call = tracer().startStatement(statement);
      if (call && completion) {
        if (completion.kind === 'events') observeEmitter(args[0], call);
        else installCallback(completion, args, call, context.active());
      }
    } catch (err) {
      problems.failure('capturing a pg query', { error: err });
      call?.end(); // a half-prepared call goes untraced
      call = undefined;
    }
    if (!call || !completion) return original.apply(this, args);

    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (err) {
      call.end(err);
      throw err;
    }
    if (completion.kind === 'promise') {
      if (isThenable(result)) observePromise(result, call);
      else call.end();
    }
    return result;
  };
}

/** `client.connect([callback])`: a `pg.connect` span when connection spans are on. */
export function pgClientConnect(
  original: AnyFunction,
  tracer: () => CallTracer,
  problems: ProblemReporter,
): AnyFunction {
  return function connect(this: unknown, ...args: unknown[]): unknown {
    return connectTraced(
      original,
      this,
      args,
      () => tracer().startConnect('pg.connect', clientServer(this)),
      false,
      problems,
    );
  };
}

/**
 * `pool.connect([callback])` of pg-pool: a `pg-pool.connect` span when connection spans are on.
 * Traced or not, its callback runs in the caller's context: pg-pool queues callbacks while the
 * pool is full and calls them when another request releases a client, i.e. in that request's
 * context, which would make `pool.query`'s statement a child of the wrong request.
 */
export function pgPoolConnect(original: AnyFunction, tracer: () => CallTracer, problems: ProblemReporter): AnyFunction {
  return function connect(this: unknown, ...args: unknown[]): unknown {
    return connectTraced(
      original,
      this,
      args,
      () => tracer().startConnect('pg-pool.connect', poolServer(this)),
      true,
      problems,
    );
  };
}

function connectTraced(
  original: AnyFunction,
  self: unknown,
  args: unknown[],
  start: () => TracedCall | undefined,
  bindUntraced: boolean,
  problems: ProblemReporter,
): unknown {
  let call: TracedCall | undefined;
  try {
    const caller = context.active();
    call = start();
    if (typeof args[0] === 'function') {
      if (call) args[0] = endingCallback(args[0] as AnyFunction, call, caller);
      else if (bindUntraced) args[0] = bindToCaller(args[0] as AnyFunction, caller);
    }
  } catch (err) {
    problems.failure('capturing a pg connect', { error: err });
    call?.end(); // a half-prepared call goes untraced
    call = undefined;
  }
  if (!call) return original.apply(self, args);
  const traced = call;
  let result: unknown;
  try {
    result = context.with(traced.context, () => original.apply(self, args));
  } catch (err) {
    traced.end(err);
    throw err;
  }
  if (typeof args[0] !== 'function') {
    if (isThenable(result)) observePromise(result, traced);
    else traced.end();
  }
  return result;
}
