import { MySQL2Instrumentation, PgInstrumentation } from './instrumentation';
import type { SqlInstrumentationConfig } from './types';
import { resolveConfig } from './utils';

/**
 * Configured instrumentations for `pg` (and `pg-pool`) and `mysql2`: one span per statement, with
 * the statement's literals replaced by `?` and bound values never read. Enabled on creation;
 * create them (or pass them to `registerInstrumentations`) before `pg` / `mysql2` are loaded.
 * Throws a TypeError (code TRACEPACK_SQL_INVALID_OPTION / TRACEPACK_SQL_UNKNOWN_OPTION) for bad options.
 */
export function createSqlInstrumentations(
  config: SqlInstrumentationConfig = {},
): [PgInstrumentation, MySQL2Instrumentation] {
  resolveConfig(config); // fails before either instrumentation patches anything
  return [new PgInstrumentation(config), new MySQL2Instrumentation(config)];
}

export { PgInstrumentation, MySQL2Instrumentation } from './instrumentation';
export { sanitizeSql, analyzeSql } from './sanitize';
export { SqlInstrumentationErrorCode, SUPPORTED_VERSIONS } from './utils';
export type { SqlInstrumentationConfig, SqlDialect, SqlAnalysis, SqlLibrary } from './types';
