/** Stable codes of the set-up errors this package throws. */
export const HttpInstrumentationErrorCode = {
  /** An option has the wrong type or value. */
  INVALID_OPTION: 'TRACEPACK_HTTP_INVALID_OPTION',
} as const;
export type HttpInstrumentationErrorCode = (typeof HttpInstrumentationErrorCode)[keyof typeof HttpInstrumentationErrorCode];

/**
 * Thrown by `createHttpInstrumentations()` for a set-up mistake, never at request time.
 * The message names the package, the code, the config path and what is allowed.
 */
export class HttpInstrumentationConfigError extends TypeError {
  readonly code: HttpInstrumentationErrorCode;
  /** e.g. `instrumentations.http.ignorePaths[1]` */
  readonly path: string;

  constructor(code: HttpInstrumentationErrorCode, path: string, expected: string, got: unknown) {
    super(`@tracepack/instrumentation-http: ${code}: ${path} expects ${expected}, instead got ${describe(got)}`);
    this.name = 'HttpInstrumentationConfigError';
    this.code = code;
    this.path = path;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '...' : value}'`;
  return `a '${typeof value}'`;
}
