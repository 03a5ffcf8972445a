import { TracepackTypeError } from '@tracepack/core';

/** Stable codes of the set-up errors this package throws (rows of @tracepack/core's catalogue). */
export const HttpInstrumentationErrorCode = {
  /** An option has the wrong type or value. */
  INVALID_OPTION: 'TRACEPACK_HTTP_INVALID_OPTION',
} as const;
export type HttpInstrumentationErrorCode =
  (typeof HttpInstrumentationErrorCode)[keyof typeof HttpInstrumentationErrorCode];

/**
 * What `createHttpInstrumentations()` throws for a set-up mistake, never at request time: the
 * one TypeError shape of @tracepack/core (`code`, `path`, the package name first, the code
 * last). Kept under this name for code that catches it by class.
 * @deprecated catch `TracepackTypeError` (or check `code`) from `@tracepack/core`.
 */
export const HttpInstrumentationConfigError = TracepackTypeError;
/** @deprecated use `TracepackTypeError` from `@tracepack/core`. */
export type HttpInstrumentationConfigError = TracepackTypeError;
