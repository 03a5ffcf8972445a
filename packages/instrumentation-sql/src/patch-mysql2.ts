// The mysql2 side: wrappers for the public `query` and `execute` of mysql2's Connection (every
// connection: single, pooled, and the core connection under the promise API) and for the pool's
// `getConnection`. A wrapper captures the statement as the application wrote it, before mysql2
// formats the values into it: `query(sql, values)` formats on the client, so the text mysql2 sends
// (and publishes on its own `mysql2:query` diagnostics channel) holds the values, and some of
// them (`true`, `NULL`) would look like SQL to any sanitizer. It never builds a span.

import { context } from '@opentelemetry/api';
import type { AnyFunction, CallTracer, ServerTarget, StatementCall, TracedCall } from './internal-types';
import { bindToCaller, endingCallback, isEmitter, observeEmitter } from './completion';
import { optionalString, portNumber } from './utils';
import type { ProblemReporter } from '@tracepack/core';

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null;
}

/** A connection's public `config` (`host`, `port`, `database`, or `socketPath`); never `user` or `password`. */
function connectionServer(connection: unknown): ServerTarget {
  const config = isObject(connection) && isObject(connection['config']) ? connection['config'] : {};
  const socketPath = optionalString(config['socketPath']);
  return {
    address: socketPath ?? optionalString(config['host']),
    port: socketPath ? undefined : portNumber(config['port']),
    namespace: optionalString(config['database']),
  };
}

/** The statement of `query(...)` / `execute(...)`: a string, or the `sql` of options or of a command. */
function statementOf(connection: unknown, first: unknown): StatementCall | undefined {
  const text =
    typeof first === 'string' ? first : isObject(first) && typeof first['sql'] === 'string' ? first['sql'] : undefined;
  return text === undefined ? undefined : { text, server: connectionServer(connection) };
}

/**
 * `query(sql, values, cb)` and `execute(sql, values, cb)`: the callback is the second argument if
 * it is a function, else the third (mysql2's `createQuery` and `execute`). A command object
 * (what `pool.query` and `mysql.createQuery()` pass to `connection.query`) carries its callback
 * as `onResult`; without one, the command reports through its events.
 */
export function mysqlStatement(
  original: AnyFunction,
  tracer: () => CallTracer,
  problems: ProblemReporter,
): AnyFunction {
  return function statement(this: unknown, ...args: unknown[]): unknown {
    let call: TracedCall | undefined;
    let observeResult = false;
    try {
      const captured = statementOf(this, args[0]);
      if (captured) call = tracer().startStatement(captured);
      if (call) {
        const caller = context.active();
        const first = args[0];
        if (isEmitter(first)) {
          // A command: mysql2 ignores the other arguments. Its pool wraps `onResult` the same way
          // just before handing the command over (lib/base/pool.js `query`).
          const command = first as unknown as Fields;
          if (typeof command['onResult'] === 'function')
            command['onResult'] = endingCallback(command['onResult'] as AnyFunction, call, caller);
          else observeResult = true;
        } else if (typeof args[1] === 'function') {
          args[1] = endingCallback(args[1] as AnyFunction, call, caller);
        } else if (typeof args[2] === 'function') {
          args[2] = endingCallback(args[2] as AnyFunction, call, caller);
        } else {
          observeResult = true;
        }
      }
    } catch (err) {
      problems.failure('capturing a mysql2 statement', { error: err });
      call?.end(); // a half-prepared call goes untraced
      call = undefined;
    }
    if (!call) return original.apply(this, args);

    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (err) {
      call.end(err);
      throw err;
    }
    if (observeResult && !observeEmitter(result, call)) call.end();
    return result;
  };
}

/**
 * The pool's `getConnection(cb)`: the callback runs in the caller's context. mysql2 queues it
 * while the pool is full and calls it when another request releases a connection, in that
 * request's context, which would make `pool.query`'s statement a child of the wrong request.
 */
export function mysqlPoolGetConnection(original: AnyFunction, problems: ProblemReporter): AnyFunction {
  return function getConnection(this: unknown, ...args: unknown[]): unknown {
    try {
      if (typeof args[0] === 'function') args[0] = bindToCaller(args[0] as AnyFunction, context.active());
    } catch (err) {
      problems.failure('capturing a mysql2 getConnection', { error: err });
    }
    return original.apply(this, args);
  };
}
