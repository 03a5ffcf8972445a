import { formatDuration, type LoadedSqaConfig } from '@tracepack/config';
import { metricsUrl } from './utils';

/** Every way to turn reports off, as the start line and the preview name them. */
export const HOW_TO_TURN_OFF =
  'DO_NOT_TRACK=1, SQA_OPT_OUT=true, DISABLE_TELEMETRY=1, TRACEPACK_ENABLE_TELEMETRY=false, --sqa-opt-out, --disable-telemetry, --enable-telemetry=false or sqa.opt_out: true';

/** What a report carries, in one phrase (the README's table has the details). */
export const WHAT_IS_SENT =
  'request counts, latency and response sizes per route template or hashed path, status codes, heap, RSS, GC and event-loop delay, feature names and counts; ' +
  'no paths, query values, headers, bodies, cookies, IPs or raw ids';

/**
 * The one line logged at start: on or off (and which switch turned it off), where reports go,
 * what they contain and how to turn them off.
 */
export function startLine(loaded: LoadedSqaConfig): string {
  // Off: short, as it shows in every service's start-up (the quickstart prints it in 80 columns).
  if (!loaded.enabled) return `usage statistics off: ${loaded.offReason}, nothing is sent`;
  const c = loaded.config;
  return (
    `usage statistics on (anonymous): every ${formatDuration(loaded.durations.reportIntervalMs)} to ${metricsUrl(c.endpoint!)} (OTLP ${c.protocol}): ${WHAT_IS_SENT}. ` +
    `See exactly what: npx tracepack usage preview. Turn off: ${HOW_TO_TURN_OFF}`
  );
}
