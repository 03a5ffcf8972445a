import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * Options of {@link createSqlInstrumentations}, {@link PgInstrumentation} and
 * {@link MySQL2Instrumentation}. Everything that could record a value (bound parameters,
 * literals, error messages) is off and has no switch.
 */
export interface SqlInstrumentationConfig extends InstrumentationConfig {
  /**
   * Whether the instrumentation patches the driver when it is loaded.
   * @default true
   */
  enabled?: boolean;
  /**
   * Also make connection spans: `pg.connect` (a `pg.Client` connecting) and `pg-pool.connect`
   * (a client checked out of a `pg.Pool`). mysql2 has none.
   * @default false
   */
  connectionSpans?: boolean;
  /**
   * `true`: only make spans under an active parent span (a request, a job's own span), so that
   * start-up seeding, pool health checks and migrations make no orphan traces (noise, and cost).
   * A job whose queries should be traced wraps its work in a span. `false`: a statement outside
   * any span starts a trace of its own. A statement inside a span is its child either way. The
   * same option, with the same default, as bcrypt's.
   * @default true
   */
  requireParentSpan?: boolean;
}

/** The instrumented libraries, keys of `SUPPORTED_VERSIONS`. */
export type SqlLibrary = 'pg' | 'pg-pool' | 'mysql2';

/** Which lexer rules apply: PostgreSQL (`"ident"`, `$1`, `$$..$$`, E'..') or MySQL/MariaDB (`` `ident` ``, `"string"`, `\'`, `#`). */
export type SqlDialect = 'postgresql' | 'mysql';

export interface SqlAnalysis {
  /** The statement with every literal replaced by `?`. */
  text: string;
  /** First keyword, upper-cased (`SELECT`). */
  operationName: string | undefined;
  /** First table named after FROM / INTO / UPDATE / TABLE, as written (`public.clients`). */
  collectionName: string | undefined;
}
