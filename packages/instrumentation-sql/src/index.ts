import type { Instrumentation } from '@opentelemetry/instrumentation';
import { SanitizedMySQL2Instrumentation, SanitizedPgInstrumentation } from './instrumentation';
import { resolveConfig } from './utils';
import type { SqlInstrumentationConfig } from './types';

/**
 * Configured instrumentations for `pg` (and `pg-pool`) and `mysql2`: one span per statement, with
 * the statement's literals replaced by `?` and bound values never recorded. Enabled on creation;
 * create them (or pass them to `registerInstrumentations`) before `pg` / `mysql2` are required.
 * Throws a TypeError (code TRACEPACK_SQL_INVALID_OPTION / TRACEPACK_SQL_UNKNOWN_OPTION) for bad options.
 */
export function createSqlInstrumentations(config: SqlInstrumentationConfig = {}): Instrumentation[] {
  const resolved = resolveConfig(config);
  return [new SanitizedPgInstrumentation(resolved), new SanitizedMySQL2Instrumentation(resolved)];
}

export { SanitizedPgInstrumentation, SanitizedMySQL2Instrumentation } from './instrumentation';
export { sanitizeSql, analyzeSql } from './sanitize';
export { SqlInstrumentationErrorCode } from './utils';
export { SUPPORTED_VERSIONS } from './types';
export type { SqlInstrumentationConfig, SqlDialect, SqlAnalysis } from './types';
