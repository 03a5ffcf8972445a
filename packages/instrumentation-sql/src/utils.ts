import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
} from '@opentelemetry/semantic-conventions';
import { booleanOption, defineSupportedVersions, validateOptions, type SupportedVersions } from '@tracepack/core';
import type { DbErrorInfo, DbSystemProfile, ResolvedSqlConfig } from './internal-types';
import type { SqlLibrary } from './types';

export { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/**
 * Versions of the instrumented libraries that are patched; a version outside its range is loaded
 * unpatched. The README states the same ranges and test/options.test.ts checks that it does.
 */
export const SUPPORTED_VERSIONS: SupportedVersions<SqlLibrary> = defineSupportedVersions({
  pg: '>=8 <9',
  'pg-pool': '>=3 <4',
  mysql2: '>=3 <4',
});

// ---------------------------------------------------------------------------------------------
// Options: validated at setup (throws), defaults applied here and nowhere else.

/** Stable codes of the errors this package throws (at setup only; rows of @tracepack/core's catalogue). */
export const SqlInstrumentationErrorCode = {
  /** The config is not an object, or an option has the wrong type. */
  INVALID_OPTION: 'TRACEPACK_SQL_INVALID_OPTION',
  /** An option this package does not know (a typo, or an upstream option such as `enhancedDatabaseReporting`). */
  UNKNOWN_OPTION: 'TRACEPACK_SQL_UNKNOWN_OPTION',
} as const;

const OPTION_RULES = {
  connectionSpans: booleanOption,
  requireParentSpan: booleanOption,
  enabled: booleanOption,
} as const;

/**
 * Validates the options and applies the defaults, in one place. `requireParentSpan` defaults to
 * true, as bcrypt's does: see `SqlInstrumentationConfig.requireParentSpan` for why.
 */
export function resolveConfig(config: unknown): ResolvedSqlConfig {
  const given = validateOptions(config, OPTION_RULES, 'config', {
    code: SqlInstrumentationErrorCode.INVALID_OPTION,
    unknownCode: SqlInstrumentationErrorCode.UNKNOWN_OPTION,
  });
  return {
    enabled: (given['enabled'] as boolean | undefined) ?? true,
    connectionSpans: (given['connectionSpans'] as boolean | undefined) ?? false,
    requireParentSpan: (given['requireParentSpan'] as boolean | undefined) ?? true,
  };
}

// ---------------------------------------------------------------------------------------------
// Span names and error codes.

/** `{db.operation.name} {db.collection.name | db.namespace}`, or the system name when the statement names nothing. */
export function spanNameFor(attributes: Attributes, profile: DbSystemProfile): string {
  const operation = attributes[ATTR_DB_OPERATION_NAME];
  const target = attributes[ATTR_DB_COLLECTION_NAME] ?? attributes[ATTR_DB_NAMESPACE];
  if (typeof operation === 'string' && operation) {
    return typeof target === 'string' && target ? `${operation} ${target}` : operation;
  }
  return profile.system;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const SAFE_NAME = /^[A-Za-z_$][\w$.]{0,63}$/;

/**
 * Codes of a failed operation, read from the driver's error. PostgreSQL (pg): `code` is the
 * SQLSTATE (`23505`). MySQL (mysql2): `errno` 1062, `code` ER_DUP_ENTRY, `sqlState` 23000. Network
 * errors of either: `code` ECONNREFUSED. Messages are never read: they quote values
 * (`Key (email)=(a@b.c)`, `Duplicate entry 'x'`).
 */
export function errorInfo(error: unknown, profile: DbSystemProfile): DbErrorInfo {
  let code: unknown;
  let name: unknown;
  let errno: unknown;
  let sqlState: unknown;
  if (typeof error === 'object' && error !== null) {
    ({ code, name, errno, sqlState } = error as {
      code?: unknown;
      name?: unknown;
      errno?: unknown;
      sqlState?: unknown;
    });
  }
  if (profile.system === 'postgresql') {
    if (typeof code === 'string' && SQLSTATE.test(code)) return { type: code, statusCode: code };
  } else if (typeof sqlState === 'string' && typeof errno === 'number' && errno > 0) {
    return { type: typeof code === 'string' && SAFE_CODE.test(code) ? code : String(errno), statusCode: String(errno) };
  }
  if (typeof code === 'string' && SAFE_CODE.test(code) && code !== 'UNKNOWN') return { type: code };
  if (typeof name === 'string' && SAFE_NAME.test(name)) return { type: name };
  return { type: '_OTHER' };
}

/** The status message and exception message of a failed span: `PostgreSQL error 23505`, `MySQL error ER_DUP_ENTRY (1062)`. */
export function fixedMessage(info: DbErrorInfo, profile: DbSystemProfile): string {
  const status = info.statusCode && info.statusCode !== info.type ? ` (${info.statusCode})` : '';
  return `${profile.label} error ${info.type}${status}`;
}

// ---------------------------------------------------------------------------------------------
// Small readers shared by the patches.

/** An import-in-the-middle namespace (ESM import) rather than CommonJS `module.exports`. */
export function isEsmNamespace(moduleExports: unknown): boolean {
  return (
    typeof moduleExports === 'object' &&
    moduleExports !== null &&
    (moduleExports as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module'
  );
}

/** What a CommonJS driver exports, whether it was required (exports) or imported (the namespace's `default`). */
export function libraryExports(moduleExports: unknown): Record<string, unknown> | undefined {
  let lib = moduleExports;
  if (isEsmNamespace(moduleExports)) lib = (moduleExports as { default?: unknown }).default ?? moduleExports;
  return (typeof lib === 'object' || typeof lib === 'function') && lib !== null
    ? (lib as Record<string, unknown>)
    : undefined;
}

/**
 * The prototype in the chain of `cls` that owns the method `name`: `Connection.prototype` in one
 * mysql2 3.x release, its base class's in another. Patching the owner covers every subclass
 * (pg's BoundPool, mysql2's PoolConnection) whatever the hierarchy looks like inside.
 */
export function methodOwner(cls: unknown, name: string): Record<string, unknown> | undefined {
  if (typeof cls !== 'function') return undefined;
  for (
    let proto: unknown = cls.prototype;
    typeof proto === 'object' && proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (Object.hasOwn(proto, name)) {
      return typeof (proto as Record<string, unknown>)[name] === 'function'
        ? (proto as Record<string, unknown>)
        : undefined;
    }
  }
  return undefined;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A non-empty string, else undefined. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A TCP port (number or numeric string), else undefined. */
export function portNumber(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}
