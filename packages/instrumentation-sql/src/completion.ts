// How the patches see a driver call end, in each of the three ways drivers report it: a callback,
// a promise, an event emitter. None of them changes what the application sees: the callback gets
// the same arguments, the promise handed back is the driver's own, and errors are watched on
// `errorMonitor`, which does not count as handling them.

import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { errorMonitor } from 'node:events';
import type { AnyFunction, TracedCall } from './internal-types';

/** On our callback wrappers: the application's callback it calls. */
const WRAPPED_CALLBACK = Symbol('@tracepack/instrumentation-sql callback');

type CallbackWrapper = AnyFunction & { [WRAPPED_CALLBACK]?: AnyFunction };

/**
 * The callback to hand the driver instead of `callback`: it reports the end (the first argument is
 * the error, if any) and then calls `callback`, with the same `this` and arguments, in the
 * caller's context (the driver calls it from its socket's, which may be another request's).
 */
export function endingCallback(callback: AnyFunction, call: TracedCall, caller: Context): AnyFunction {
  const wrapper: CallbackWrapper = function (this: unknown, ...args: unknown[]): unknown {
    call.end(args[0]);
    return context.with(caller, () => callback.apply(this, args));
  };
  wrapper[WRAPPED_CALLBACK] = callback;
  return wrapper;
}

/** `callback`, run in the caller's context. */
export function bindToCaller(callback: AnyFunction, caller: Context): AnyFunction {
  return context.bind(caller, callback);
}

/**
 * The application's callback behind one of our wrappers. pg copies a callback argument into the
 * query config it was given; when the application sends that config again, its `callback` is
 * our wrapper of the previous call, which must not be wrapped a second time.
 */
export function unwrappedCallback(callback: AnyFunction): AnyFunction {
  return (callback as CallbackWrapper)[WRAPPED_CALLBACK] ?? callback;
}

/** Ends `call` when the promise settles. The promise itself is returned to the application untouched. */
export function observePromise(promise: PromiseLike<unknown>, call: TracedCall): void {
  promise.then(
    () => call.end(),
    (err: unknown) => call.end(err ?? new Error('rejected')),
  );
}

interface Emitter {
  once(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

export function isEmitter(value: unknown): value is Emitter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Emitter>).once === 'function' &&
    typeof (value as Partial<Emitter>).removeListener === 'function'
  );
}

/**
 * Ends `call` at the emitter's first `end`, `close` or `error`: a pg submittable, a mysql2 command
 * used as a stream (`connection.query(sql).on('result', ...)`). Returns false when `value` is
 * not an emitter.
 */
export function observeEmitter(value: unknown, call: TracedCall): boolean {
  if (!isEmitter(value)) return false;
  const done = (): void => {
    value.removeListener('end', onEnd);
    value.removeListener('close', onEnd);
    value.removeListener(errorMonitor, onError);
  };
  const onEnd = (): void => {
    done();
    call.end();
  };
  const onError = (err: unknown): void => {
    done();
    call.end(err ?? new Error('error event'));
  };
  value.once('end', onEnd);
  value.once('close', onEnd);
  value.once(errorMonitor, onError);
  return true;
}
