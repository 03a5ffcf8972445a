import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { BcryptInstrumentation } from '@tracepack/instrumentation-bcrypt';
import { createHttpInstrumentations } from '@tracepack/instrumentation-http';
import { createSqlInstrumentations } from '@tracepack/instrumentation-sql';
import type { ResolvedTracingConfig } from '@tracepack/config';

/** The instrumentations the `instrumentations:` block turns on, configured from it. */
export function buildInstrumentations(config: ResolvedTracingConfig): Instrumentation[] {
  const { http, bcrypt, sql, pino, winston } = config.instrumentations;
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
  if (sql.enabled)
    out.push(
      ...createSqlInstrumentations({
        connectionSpans: sql.connection_spans,
        requireParentSpan: sql.require_parent_span,
      }),
    );
  out.push(...logCorrelationInstrumentations(pino, winston));
  return out;
}

/**
 * Log correlation for pino (tested with 10.x; the instrumentation takes >=5.14 <11) and
 * winston (tested with 3.x). Both OpenTelemetry instrumentations can also copy every record
 * to the Logs API's global LoggerProvider ("log sending"), which would ship whatever the app
 * logs to wherever that provider exports. tracepack only adds the span's ids to the records
 * the app writes itself, so log sending is always off and there is no switch to turn it on.
 * No `logHook` either: the three trace-context fields are all that is added.
 */
function logCorrelationInstrumentations(
  pino: ResolvedTracingConfig['instrumentations']['pino'],
  winston: ResolvedTracingConfig['instrumentations']['winston'],
): Instrumentation[] {
  const out: Instrumentation[] = [];
  if (pino.enabled) {
    const { trace_id, span_id, trace_flags } = pino.log_keys;
    out.push(
      new PinoInstrumentation({
        disableLogSending: true,
        logKeys: { traceId: trace_id, spanId: span_id, traceFlags: trace_flags },
      }),
    );
  }
  // winston's instrumentation has no logKeys: its fields are always trace_id, span_id, trace_flags.
  if (winston.enabled) out.push(new WinstonInstrumentation({ disableLogSending: true }));
  return out;
}
