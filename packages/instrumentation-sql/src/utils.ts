import { INVALID_SPAN_CONTEXT, SpanStatusCode, context, diag, trace } from '@opentelemetry/api';
import type { Attributes, AttributeValue, Context, Exception, Span, SpanOptions, SpanStatus, TimeInput, Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from '@opentelemetry/semantic-conventions';
import { analyzeStatement } from './sanitize';
import type { DbErrorInfo, DbSystemProfile, ResolvedSqlConfig } from './internal-types';
import type { SqlInstrumentationConfig } from './types';

export const PACKAGE_NAME = '@tracepack/instrumentation-sql';

/** Stable codes of the errors this package throws (at setup only). */
export const SqlInstrumentationErrorCode = {
  /** The config is not an object, or an option has the wrong type. */
  INVALID_OPTION: 'TRACEPACK_SQL_INVALID_OPTION',
  /** An option this package does not know (a typo?). */
  UNKNOWN_OPTION: 'TRACEPACK_SQL_UNKNOWN_OPTION',
} as const;

const BOOLEAN_OPTIONS = ['connectionSpans', 'requireParentSpan'] as const;

function setupError(code: string, message: string): TypeError {
  const err = new TypeError(`${PACKAGE_NAME}: ${message} [${code}]`);
  (err as TypeError & { code: string }).code = code;
  return err;
}

/** Validates the options and applies the defaults, in one place. */
export function resolveConfig(config: unknown): ResolvedSqlConfig {
  if (config === undefined) config = {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw setupError(
      SqlInstrumentationErrorCode.INVALID_OPTION,
      `config expects an object, instead got ${config === null ? 'null' : Array.isArray(config) ? 'an array' : `a '${typeof config}'`}`,
    );
  }
  const given = config as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(BOOLEAN_OPTIONS as readonly string[]).includes(key)) {
      throw setupError(SqlInstrumentationErrorCode.UNKNOWN_OPTION, `config.${key} is not an option; allowed: ${BOOLEAN_OPTIONS.join(', ')}`);
    }
  }
  for (const key of BOOLEAN_OPTIONS) {
    const value = given[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw setupError(SqlInstrumentationErrorCode.INVALID_OPTION, `config.${key} expects a boolean (true or false), instead got a '${typeof value}'`);
    }
  }
  const options = given as SqlInstrumentationConfig;
  return {
    connectionSpans: options.connectionSpans ?? false,
    requireParentSpan: options.requireParentSpan ?? false,
  };
}

/** Runtime problems are reported once through `diag`, then only counted. */
const problemCounts = new Map<string, number>();
export function reportProblem(problem: string, err?: unknown): void {
  const count = (problemCounts.get(problem) ?? 0) + 1;
  problemCounts.set(problem, count);
  if (count === 1) {
    const detail = err instanceof Error ? ` (${err.name})` : '';
    diag.warn(`${PACKAGE_NAME}: ${problem}${detail}; further occurrences are counted, not logged`);
  }
}
/** How often each runtime problem happened (for diagnostics and tests). */
export function problemCount(problem: string): number {
  return problemCounts.get(problem) ?? 0;
}

/** Attributes that could carry a value or a credential: never recorded, whoever sets them. */
function isForbiddenAttribute(key: string): boolean {
  return (
    key === 'db.statement' || // the old name of db.query.text
    key === 'db.postgresql.values' || // enhancedDatabaseReporting
    key === 'db.query.parameter' ||
    key.startsWith('db.query.parameter.') ||
    key === 'db.connection_string' ||
    key === 'db.user'
  );
}

/** `{db.operation.name} {db.collection.name | db.namespace}`, or the system name when the statement says nothing. */
export function spanNameFor(attributes: Attributes, profile: DbSystemProfile): string {
  const operation = attributes[ATTR_DB_OPERATION_NAME];
  const target = attributes[ATTR_DB_COLLECTION_NAME] ?? attributes[ATTR_DB_NAMESPACE];
  if (typeof operation === 'string' && operation) {
    return typeof target === 'string' && target ? `${operation} ${target}` : operation;
  }
  return profile.system;
}

/**
 * Sets db.query.text (sanitized), db.operation.name and db.collection.name from a statement.
 * If the statement cannot be read, no text is recorded at all.
 */
function applyStatement(attributes: Attributes, statement: string, profile: DbSystemProfile): void {
  try {
    const analysis = analyzeStatement(statement, profile.dialect);
    attributes[ATTR_DB_QUERY_TEXT] = analysis.text;
    if (analysis.operationName) attributes[ATTR_DB_OPERATION_NAME] = analysis.operationName;
    else delete attributes[ATTR_DB_OPERATION_NAME];
    if (analysis.collectionName) attributes[ATTR_DB_COLLECTION_NAME] = analysis.collectionName;
    else delete attributes[ATTR_DB_COLLECTION_NAME];
  } catch (err) {
    delete attributes[ATTR_DB_QUERY_TEXT];
    reportProblem('could not sanitize a statement, db.query.text left out', err);
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const SAFE_NAME = /^[A-Za-z_$][\w$.]{0,63}$/;

/**
 * Codes of a failed operation. PostgreSQL: instrumentation-pg hands the span a sanitized string
 * `PostgreSQL error of type 'error' occurred (code: 23505)` (or, some day, the error itself).
 * MySQL: the mysql2 error (`errno` 1062, `code` ER_DUP_ENTRY, `sqlState` 23000).
 * Messages are never read: they quote values (`Key (email)=(a@b.c)`, `Duplicate entry 'x'`).
 */
export function errorInfo(error: unknown, profile: DbSystemProfile): DbErrorInfo {
  let code: unknown;
  let name: unknown;
  let errno: unknown;
  let sqlState: unknown;
  if (typeof error === 'string') {
    code = /\(code: ([^)]*)\)/.exec(error)?.[1];
    name = /of type '([^']*)'/.exec(error)?.[1];
  } else if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; name?: unknown; errno?: unknown; sqlState?: unknown };
    ({ code, name, errno, sqlState } = e);
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

function fixedMessage(info: DbErrorInfo, profile: DbSystemProfile): string {
  const status = info.statusCode && info.statusCode !== info.type ? ` (${info.statusCode})` : '';
  return `${profile.label} error ${info.type}${status}`;
}

/**
 * The mysql2 error being handed to upstream's endSpan right now (set around that synchronous call),
 * so that the span's setStatus can read its codes: upstream passes only `err.message`.
 */
let errorInFlight: { error: unknown } | undefined;
export function withErrorInFlight<T>(error: unknown, fn: () => T): T {
  const outer = errorInFlight;
  errorInFlight = error ? { error } : undefined;
  try {
    return fn();
  } finally {
    errorInFlight = outer;
  }
}

/**
 * Makes a span unable to hold a value: statement text is sanitized when set (and the name follows
 * it), forbidden attributes are dropped, and errors are recorded by code with a fixed message
 * (one `exception` event with no message from the error and no stack).
 */
function guardSpan(span: Span, profile: DbSystemProfile, attributes: Attributes): Span {
  const setAttribute = span.setAttribute.bind(span);
  const setStatus = span.setStatus.bind(span);
  const recordException = span.recordException.bind(span);
  const updateName = span.updateName.bind(span);
  let error: DbErrorInfo | undefined;
  let exceptionRecorded = false;

  const apply = (key: string, value: AttributeValue | undefined): void => {
    if (isForbiddenAttribute(key)) return;
    if (key === ATTR_DB_QUERY_TEXT && typeof value === 'string') {
      applyStatement(attributes, value, profile);
      for (const k of [ATTR_DB_QUERY_TEXT, ATTR_DB_OPERATION_NAME, ATTR_DB_COLLECTION_NAME]) {
        if (attributes[k] !== undefined) setAttribute(k, attributes[k]!);
      }
      updateName(spanNameFor(attributes, profile));
      return;
    }
    if (key === ATTR_DB_QUERY_TEXT || value === undefined) return;
    attributes[key] = value;
    setAttribute(key, value);
  };
  const recordError = (info: DbErrorInfo, time?: TimeInput): void => {
    error = info;
    setAttribute(ATTR_ERROR_TYPE, info.type);
    if (info.statusCode) setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, info.statusCode);
    if (!exceptionRecorded) {
      exceptionRecorded = true;
      recordException({ name: info.type, message: fixedMessage(info, profile) }, time);
    }
  };

  span.setAttribute = (key: string, value: AttributeValue | undefined) => {
    guarded(() => apply(key, value));
    return span;
  };
  span.setAttributes = (attrs: Attributes) => {
    guarded(() => {
      for (const [key, value] of Object.entries(attrs)) apply(key, value);
    });
    return span;
  };
  span.recordException = (exception: Exception, time?: TimeInput) => {
    guarded(() => recordError(errorInfo(exception, profile), time));
  };
  span.setStatus = (status: SpanStatus) => {
    guarded(() => {
      if (status.code !== SpanStatusCode.ERROR) {
        setStatus({ code: status.code });
        return;
      }
      if (!error) recordError(errorInfo(errorInFlight?.error, profile));
      setStatus({ code: SpanStatusCode.ERROR, message: fixedMessage(error!, profile) });
    });
    return span;
  };
  return span;
}

function guarded(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    reportProblem('could not record a span attribute or status', err);
  }
}

/**
 * Wraps the tracer an upstream instrumentation starts its spans with: every span it makes is
 * guarded (see guardSpan) from its first attribute on, whatever path upstream takes (success,
 * error, callback, promise, stream); and `requireParentSpan` holds for instrumentations that lack it.
 */
export function sanitizingTracer(inner: Tracer, profile: DbSystemProfile, config: () => Partial<ResolvedSqlConfig>): Tracer {
  const startSpan = (name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span => {
    if (config().requireParentSpan && !trace.getSpan(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const attributes: Attributes = { [ATTR_DB_SYSTEM_NAME]: profile.system };
    let statement: string | undefined;
    for (const [key, value] of Object.entries(options.attributes ?? {})) {
      if (isForbiddenAttribute(key)) continue;
      if (key === ATTR_DB_QUERY_TEXT) {
        if (typeof value === 'string') statement = value;
        continue;
      }
      attributes[key] = value;
    }
    if (statement !== undefined) applyStatement(attributes, statement, profile);
    // Upstream names carry the statement's first word as written (`pg.query:SELECT'X' db`):
    // only names known to be fixed are kept.
    const spanName = statement !== undefined || !profile.fixedSpanNames.has(name) ? spanNameFor(attributes, profile) : name;
    const span = inner.startSpan(spanName, { ...options, attributes }, ctx);
    return span.isRecording() ? guardSpan(span, profile, attributes) : span;
  };
  return {
    startSpan,
    startActiveSpan(name: string, ...rest: unknown[]) {
      const fn = rest.pop() as (span: Span) => unknown;
      const [options, ctx] = rest as [SpanOptions | undefined, Context | undefined];
      const parent = ctx ?? context.active();
      const span = startSpan(name, options, parent);
      return context.with(trace.setSpan(parent, span), fn, undefined, span);
    },
  } as Tracer;
}
