import type { Instrumentation } from '@opentelemetry/instrumentation';
import { BcryptInstrumentation } from '@tracepack/instrumentation-bcrypt';
import { createHttpInstrumentations } from '@tracepack/instrumentation-http';
import { createSqlInstrumentations } from '@tracepack/instrumentation-sql';
import type { ResolvedTracingConfig } from '@tracepack/config';

/** The instrumentations the `instrumentations:` block turns on, configured from it. */
export function buildInstrumentations(config: ResolvedTracingConfig): Instrumentation[] {
  const { http, bcrypt, sql } = config.instrumentations;
  const out: Instrumentation[] = [];
  if (http.enabled) {
    out.push(
      ...createHttpInstrumentations({
        ignorePaths: http.ignore_paths,
        routes: http.routes,
        captureRequestHeaders: http.capture_request_headers,
        captureUserAgent: http.capture_user_agent,
        outgoing: http.outgoing,
      }),
    );
  }
  if (bcrypt.enabled) out.push(new BcryptInstrumentation({ requireParentSpan: bcrypt.require_parent_span }));
  if (sql.enabled) out.push(...createSqlInstrumentations({ connectionSpans: sql.connection_spans, requireParentSpan: sql.require_parent_span }));
  return out;
}
