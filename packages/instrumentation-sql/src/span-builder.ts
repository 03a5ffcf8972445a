import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { analyzeSql } from './sanitize';
import type {
  CallTracer,
  ConnectSpanName,
  DbSystemProfile,
  ResolvedSqlConfig,
  ServerTarget,
  StatementCall,
  TracedCall,
} from './internal-types';
import { errorInfo, fixedMessage, spanNameFor } from './utils';
import type { ProblemReporter } from '@tracepack/core';

/** `db.postgresql.plan`: the name of a pg prepared statement (not in the semantic conventions; kept from instrumentation-pg). */
export const ATTR_DB_POSTGRESQL_PLAN = 'db.postgresql.plan';

export const POSTGRESQL: DbSystemProfile = { system: 'postgresql', dialect: 'postgresql', label: 'PostgreSQL' };
export const MYSQL: DbSystemProfile = { system: 'mysql', dialect: 'mysql', label: 'MySQL' };

export interface SpanBuilderOptions {
  profile: DbSystemProfile;
  /** The instrumentation's tracer (it changes with setTracerProvider). */
  tracer: () => Tracer;
  /** The instrumentation's options (they change with setConfig). */
  config: () => ResolvedSqlConfig;
  problems: ProblemReporter;
}

/**
 * Builds the spans of one database system from what the patches captured. Every attribute is
 * known before the span starts, so span processors and samplers see the final name and the
 * sanitized statement in `onStart`; nothing is renamed or rewritten afterwards. Holds no state
 * between calls: each traced call has its own {@link SqlCall}.
 */
export class SqlSpanBuilder implements CallTracer {
  constructor(private readonly _options: SpanBuilderOptions) {}

  startStatement(call: StatementCall): TracedCall | undefined {
    try {
      const parent = context.active();
      if (!this._traces(parent)) return undefined;
      const { profile } = this._options;
      const attributes = serverAttributes(profile, call.server);
      Object.assign(attributes, this._statementAttributes(call.text));
      if (call.preparedStatementName !== undefined) attributes[ATTR_DB_POSTGRESQL_PLAN] = call.preparedStatementName;
      const span = this._options
        .tracer()
        .startSpan(spanNameFor(attributes, profile), { kind: SpanKind.CLIENT, attributes }, parent);
      return new SqlCall(span, parent, this._options);
    } catch (err) {
      this._options.problems.failure('starting a statement span', { error: err });
      return undefined;
    }
  }

  startConnect(name: ConnectSpanName, server: ServerTarget): TracedCall | undefined {
    try {
      const parent = context.active();
      if (!this._options.config().connectionSpans || !this._traces(parent)) return undefined;
      const attributes = serverAttributes(this._options.profile, server);
      const span = this._options.tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
      // The driver connects inside the span: a pool's connect span is the parent of the client's.
      return new SqlCall(span, trace.setSpan(parent, span), this._options);
    } catch (err) {
      this._options.problems.failure('starting a connection span', { error: err });
      return undefined;
    }
  }

  private _traces(parent: Context): boolean {
    return !this._options.config().requireParentSpan || trace.getSpan(parent) !== undefined;
  }

  /**
   * `db.query.text` (sanitized), `db.operation.name` and `db.collection.name`. If the statement
   * cannot be read, none of them: a span without its statement is better than a leaked value.
   */
  private _statementAttributes(text: string): Attributes {
    try {
      const analysis = analyzeSql(text, this._options.profile.dialect);
      const attributes: Attributes = {};
      if (analysis.text) attributes[ATTR_DB_QUERY_TEXT] = analysis.text;
      if (analysis.operationName) attributes[ATTR_DB_OPERATION_NAME] = analysis.operationName;
      if (analysis.collectionName) attributes[ATTR_DB_COLLECTION_NAME] = analysis.collectionName;
      return attributes;
    } catch (err) {
      this._options.problems.failure('sanitizing a statement (db.query.text left out)', { error: err });
      return {};
    }
  }
}

function serverAttributes(profile: DbSystemProfile, server: ServerTarget): Attributes {
  const attributes: Attributes = { [ATTR_DB_SYSTEM_NAME]: profile.system };
  if (server.namespace !== undefined) attributes[ATTR_DB_NAMESPACE] = server.namespace;
  if (server.address !== undefined) attributes[ATTR_SERVER_ADDRESS] = server.address;
  if (server.port !== undefined) attributes[ATTR_SERVER_PORT] = server.port;
  return attributes;
}

/** One traced call: ends its span once, recording an error by its codes only. */
class SqlCall implements TracedCall {
  private _ended = false;

  constructor(
    private readonly _span: Span,
    readonly context: Context,
    private readonly _options: SpanBuilderOptions,
  ) {}

  end(error?: unknown): void {
    if (this._ended) return;
    this._ended = true;
    try {
      if (error) {
        const { profile } = this._options;
        const info = errorInfo(error, profile);
        const message = fixedMessage(info, profile);
        this._span.setAttribute(ATTR_ERROR_TYPE, info.type);
        if (info.statusCode !== undefined) this._span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, info.statusCode);
        // An exception event of our own making: the type and the fixed message, no driver message, no stack.
        this._span.recordException({ name: info.type, message });
        this._span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
      this._span.end();
    } catch (err) {
      this._options.problems.failure('ending a span', { error: err });
    }
  }
}
