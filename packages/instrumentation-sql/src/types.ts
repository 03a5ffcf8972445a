/**
 * Options of {@link createSqlInstrumentations}. Everything that could record a value
 * (bound parameters, literals, error details) is off and cannot be turned on.
 */
export interface SqlInstrumentationConfig {
  /**
   * Also make connection spans: `pg.connect` and `pg-pool.connect`
   * (@opentelemetry/instrumentation-mysql2 makes none for mysql2).
   * @default false
   */
  connectionSpans?: boolean;
  /**
   * Only make spans under an active parent span (no orphan traces from start-up queries,
   * migrations or health checks).
   * @default false
   */
  requireParentSpan?: boolean;
}

/** Versions of the instrumented libraries these instrumentations are tested with. */
export const SUPPORTED_VERSIONS = {
  pg: '>=8 <9',
  mysql2: '>=3 <4',
} as const;

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
