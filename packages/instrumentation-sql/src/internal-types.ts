import type { SqlDialect } from './types';

/** Per database system: how to read its statements, name its spans and its errors. */
export interface DbSystemProfile {
  /** `db.system.name` value, also the span name when nothing better is known. */
  system: 'postgresql' | 'mysql';
  dialect: SqlDialect;
  /** Human name in fixed error messages: `PostgreSQL error 23505`. */
  label: string;
  /** Span names upstream gives that carry no statement text and are kept. */
  fixedSpanNames: ReadonlySet<string>;
}

/** What may be said about a failed statement: codes only, never the message. */
export interface DbErrorInfo {
  /** `error.type`: SQLSTATE (`23505`), client code (`ER_DUP_ENTRY`, `ECONNREFUSED`) or error class name. */
  type: string;
  /** `db.response.status_code`: SQLSTATE for PostgreSQL, error number for MySQL. */
  statusCode?: string;
}

/** The resolved options carried in each upstream instrumentation's config. */
export interface ResolvedSqlConfig {
  connectionSpans: boolean;
  requireParentSpan: boolean;
}
