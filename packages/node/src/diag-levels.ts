import { DiagLogLevel } from '@opentelemetry/api';

/** The diag levels the export worker's logger forwards (diag has a method for each). */
export type DiagLevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * The levels a service can ask for (`logLevel`, `tracing.log_level`, OTEL_LOG_LEVEL): the
 * OpenTelemetry spec's names. `none` installs no logger: `diag` stays as the service set it.
 */
export type LogLevelName = 'none' | DiagLevelName | 'verbose' | 'all';

export const DIAG_LEVELS: Readonly<Record<Exclude<LogLevelName, 'none'>, DiagLogLevel>> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * The export worker's level for the service's: the worker forwards lines by diag method, and
 * with `none` it still reports failures at warn, which the main thread's `diag` then filters.
 */
export function workerLevel(level: LogLevelName): DiagLevelName {
  if (level === 'none') return 'warn';
  return level === 'verbose' || level === 'all' ? 'debug' : level;
}
