import type { Context } from '@opentelemetry/api';
import type { SqlDialect } from './types';

// The seam between the two halves of this package. The patches (patch-pg.ts, patch-mysql2.ts)
// know the drivers and nothing of spans: they capture a call and report how it ended. The span
// builder (span-builder.ts) knows spans and nothing of the drivers. Everything that crosses
// from one to the other is declared here.

/** Where a call goes, from the driver's public connection settings. Never the user or password. */
export interface ServerTarget {
  /** `server.address`: host name, IP address or Unix socket path. */
  address?: string;
  /** `server.port`. */
  port?: number;
  /** `db.namespace`: the database the connection was opened on. */
  namespace?: string;
}

/** One statement as a patch captured it, before anything is recorded. */
export interface StatementCall {
  /**
   * The statement as the application wrote it, with its placeholders: the driver has not
   * formatted any value into it. It still holds literals written into the SQL; the span builder
   * sanitizes it before a span exists, and nothing else reads it.
   */
  text: string;
  /** pg only: the name of a prepared statement (`{ name, text }`), chosen in the code. */
  preparedStatementName?: string;
  server: ServerTarget;
}

/** The connection spans (`connectionSpans: true`). */
export type ConnectSpanName = 'pg.connect' | 'pg-pool.connect';

/** A call being traced, as the patch holds it. */
export interface TracedCall {
  /**
   * The context to run the driver in: the caller's for a statement; the span's own for a
   * connection, so that a pool's `pg-pool.connect` is the parent of the `pg.connect` it causes.
   */
  readonly context: Context;
  /** Reports the end, once (later calls are ignored). A truthy `error` is read for its codes only. Never throws. */
  end(error?: unknown): void;
}

/** The span side as the patches see it. Both methods never throw; undefined means "not traced". */
export interface CallTracer {
  startStatement(call: StatementCall): TracedCall | undefined;
  startConnect(name: ConnectSpanName, server: ServerTarget): TracedCall | undefined;
}

/** Per database system: how to read its statements and name its spans and errors. */
export interface DbSystemProfile {
  /** `db.system.name` value, also the span name when the statement names nothing. */
  system: 'postgresql' | 'mysql';
  dialect: SqlDialect;
  /** Human name in fixed error messages: `PostgreSQL error 23505`. */
  label: string;
}

/** What may be said about a failed operation: codes only, never the message. */
export interface DbErrorInfo {
  /** `error.type`: SQLSTATE (`23505`), client code (`ER_DUP_ENTRY`, `ECONNREFUSED`) or error class name. */
  type: string;
  /** `db.response.status_code`: SQLSTATE for PostgreSQL, error number for MySQL. */
  statusCode?: string;
}

/** The options with their defaults applied. */
export interface ResolvedSqlConfig {
  enabled: boolean;
  connectionSpans: boolean;
  requireParentSpan: boolean;
}

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
