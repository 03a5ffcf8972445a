import { DiagLogLevel } from '@opentelemetry/api';

/** The diag levels a service can ask for (`logLevel`), and the worker's logger forwards. */
export type DiagLevelName = 'error' | 'warn' | 'info' | 'debug';

export const DIAG_LEVELS: Readonly<Record<DiagLevelName, DiagLogLevel>> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
};
