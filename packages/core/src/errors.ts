import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue';

/**
 * The one shape of every error a tracepack package throws: a stable `code` from the catalogue
 * (error-catalogue.ts), a message that starts with the package name and ends with the code, the
 * config `path` when one is to blame, and the `cause` when another error is.
 *
 * Why two classes: a value of the wrong type or form given in code (an instrumentation's
 * options, an exporter's options) has always been thrown as a `TypeError`, as fastify throws
 * `FST_ERR_*` TypeErrors for a bad plugin option, and users' `catch (e) { if (e instanceof
 * TypeError) ... }` must keep working. Everything else (a bad config file, variable or flag) is
 * an `Error`. JavaScript has single inheritance, so the TypeError kind is its own class,
 * {@link TracepackTypeError}, with the same fields; `instanceof TracepackError` is true for
 * both (see `Symbol.hasInstance` below) and `isTracepackError()` says the same without classes.
 * Which class a code gets is the catalogue's `base` column, never the caller's choice.
 */
export interface TracepackErrorFields {
  /** Stable, e.g. `TRACEPACK_CONFIG_UNKNOWN_KEY`: match on this, not on the message. */
  readonly code: ErrorCode;
  /** The config path or option at fault, e.g. `instrumentations.http.routes[1]`, when there is one. */
  readonly path?: string;
}

/** Options of the error constructors. */
export interface TracepackErrorOptions {
  path?: string;
  cause?: unknown;
}

/** Marks both classes, so that `instanceof TracepackError` is true for a TracepackTypeError too. */
const BRAND: unique symbol = Symbol.for('@tracepack/core.TracepackError');

export class TracepackError extends Error implements TracepackErrorFields {
  readonly code: ErrorCode;
  readonly path?: string;

  /** `message` is the whole message; build it with {@link formatErrorMessage} (createError does). */
  constructor(code: ErrorCode, message: string, options: TracepackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    brand(this);
  }

  /**
   * `err instanceof TracepackError` is true for every error of the catalogue, TracepackTypeError
   * included; a subclass (`instanceof TracepackConfigError`) keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === TracepackError) return isTracepackError(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** A {@link TracepackError} that is also a `TypeError`: options of the wrong type or form given in code. */
export class TracepackTypeError extends TypeError implements TracepackErrorFields {
  readonly code: ErrorCode;
  readonly path?: string;

  constructor(code: ErrorCode, message: string, options: TracepackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    brand(this);
  }
}

function brand(err: object): void {
  Object.defineProperty(err, BRAND, { value: true, enumerable: false });
}

/** Whether `value` is an error of the catalogue (either class, from any copy of this package). */
export function isTracepackError(
  value: unknown,
): value is (TracepackError | TracepackTypeError) & TracepackErrorFields {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[BRAND] === true;
}

/** Options of {@link createError} and {@link formatErrorMessage}. */
export interface CreateErrorOptions extends TracepackErrorOptions {
  /** The package that throws, when it is not the one that owns the code (the message's prefix). */
  packageName?: string;
}

/**
 * `<package>: <the code's template, filled> [<code>]`. A placeholder without a value is left as
 * it is (`{name}`) rather than printed as `undefined`, so a mistake shows in the message.
 */
export function formatErrorMessage(
  code: ErrorCode,
  params: Readonly<Record<string, string | number>> = {},
  options: CreateErrorOptions = {},
): string {
  const entry = ERROR_CATALOGUE[code];
  const text = entry.message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
  return `${options.packageName ?? entry.package}: ${text} [${code}]`;
}

/**
 * The one way to build a catalogued error (fastify's `createError(code, message)`): the class
 * (Error or TypeError kind) and the template come from the catalogue. `path` defaults to the
 * `path` param.
 */
export function createError(
  code: ErrorCode,
  params: Readonly<Record<string, string | number>> = {},
  options: CreateErrorOptions = {},
): TracepackError | TracepackTypeError {
  const message = formatErrorMessage(code, params, options);
  const path = options.path ?? (typeof params['path'] === 'string' ? params['path'] : undefined);
  const init: TracepackErrorOptions = { cause: options.cause };
  if (path !== undefined) init.path = path;
  return ERROR_CATALOGUE[code].base === 'TypeError'
    ? new TracepackTypeError(code, message, init)
    : new TracepackError(code, message, init);
}
