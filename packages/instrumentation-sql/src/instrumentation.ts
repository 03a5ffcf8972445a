import type { Tracer } from '@opentelemetry/api';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { PgInstrumentationConfig } from '@opentelemetry/instrumentation-pg';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import type { MySQL2InstrumentationConfig } from '@opentelemetry/instrumentation-mysql2';
import { analyzeStatement } from './sanitize';
import { reportProblem, sanitizingTracer, withErrorInFlight } from './utils';
import type { DbSystemProfile, ResolvedSqlConfig } from './internal-types';

const POSTGRESQL: DbSystemProfile = {
  system: 'postgresql',
  dialect: 'postgresql',
  label: 'PostgreSQL',
  fixedSpanNames: new Set(['pg.connect', 'pg-pool.connect']),
};

const MYSQL: DbSystemProfile = {
  system: 'mysql',
  dialect: 'mysql',
  label: 'MySQL',
  fixedSpanNames: new Set(),
};

/** Remembers the wrapper so that each span does not allocate a tracer. */
class TracerCache {
  private inner: Tracer | undefined;
  private wrapped: Tracer | undefined;
  get(inner: Tracer, wrap: (t: Tracer) => Tracer): Tracer {
    if (inner !== this.inner || !this.wrapped) {
      this.inner = inner;
      this.wrapped = wrap(inner);
    }
    return this.wrapped;
  }
}

/** The settings that keep values out of pg spans, whatever config is given later. */
function pgPrivacy(config: PgInstrumentationConfig): PgInstrumentationConfig {
  return {
    ...config,
    enhancedDatabaseReporting: false, // would record the bound values (db.postgresql.values)
    addSqlCommenterCommentToQueries: false,
    enableTraceContextPropagation: false, // would send `SET application_name = '<traceparent>'`
  };
}

/**
 * instrumentation-pg whose spans cannot hold a value: its tracer is wrapped so that `db.query.text`
 * is sanitized as it is set, the span is renamed `{operation} {table}`, and errors keep only their
 * SQLSTATE. `requireParentSpan` and connection spans use upstream's own options.
 */
export class SanitizedPgInstrumentation extends PgInstrumentation {
  private readonly tracers = new TracerCache();

  constructor(config: ResolvedSqlConfig) {
    super(
      pgPrivacy({
        requireParentSpan: config.requireParentSpan,
        ignoreConnectSpans: !config.connectionSpans,
      }),
    );
  }

  override setConfig(config: PgInstrumentationConfig = {}): void {
    super.setConfig(pgPrivacy(config));
  }

  protected override get tracer(): Tracer {
    return this.tracers.get(super.tracer, (t) => sanitizingTracer(t, POSTGRESQL, () => this.getConfig()));
  }
}

/** Sanitizer used as instrumentation-mysql2's maskStatementHook; upstream records its result as is. */
function maskMysql(statement: string): string {
  try {
    return analyzeStatement(statement, 'mysql').text;
  } catch (err) {
    reportProblem('could not sanitize a statement, db.query.text left out', err);
    return '';
  }
}

type MySQL2Config = MySQL2InstrumentationConfig & { requireParentSpan?: boolean };

function mysqlPrivacy(config: MySQL2Config): MySQL2Config {
  return {
    ...config,
    // Off (upstream's default), the bound values are formatted INTO db.query.text.
    maskStatement: true,
    maskStatementHook: maskMysql,
    addSqlCommenterCommentToQueries: false,
  };
}

type EndSpan = (err?: unknown, results?: unknown) => void;
type PatchCallbackQuery = (endSpan: EndSpan) => (original: Function) => Function;

/**
 * instrumentation-mysql2 whose spans cannot hold a value: statements masked by our sanitizer
 * (never formatted with their values), the tracer wrapped as for pg (span name, error codes,
 * `requireParentSpan`, which upstream lacks). Upstream makes no connection spans.
 */
export class SanitizedMySQL2Instrumentation extends MySQL2Instrumentation {
  private readonly tracers = new TracerCache();

  constructor(config: ResolvedSqlConfig) {
    super(mysqlPrivacy({ requireParentSpan: config.requireParentSpan }));
    // Upstream's endSpan gets the mysql2 error but hands the span only `err.message`: keep the
    // error at hand while it runs so the span records its codes. (A private method of 0.69.)
    const self = this as unknown as { _patchCallbackQuery?: PatchCallbackQuery };
    const original = self._patchCallbackQuery;
    if (typeof original === 'function') {
      self._patchCallbackQuery = (endSpan: EndSpan) =>
        original.call(this, (err?: unknown, results?: unknown) => withErrorInFlight(err, () => endSpan(err, results)));
    } else {
      reportProblem('instrumentation-mysql2 changed: error codes of mysql2 spans are not recorded');
    }
  }

  override setConfig(config: MySQL2InstrumentationConfig = {}): void {
    super.setConfig(mysqlPrivacy(config));
  }

  protected override get tracer(): Tracer {
    return this.tracers.get(super.tracer, (t) => sanitizingTracer(t, MYSQL, () => this.getConfig() as MySQL2Config));
  }
}
