/**
 * Every error of the collector a user can see, in one place, each with a stable code. Setup
 * mistakes (options, the command line) throw them; a request that cannot be taken gets its
 * HTTP status and message (see `RequestError`), never a thrown error.
 */
export const ERROR_CODES = {
  /** An option of startUsageCollector() or a flag of `tracepack usage serve` is invalid. */
  INVALID_OPTION: 'TRACEPACK_USAGE_COLLECTOR_INVALID_OPTION',
  /** Another live process holds the embedded database's data directory. */
  DATA_DIR_IN_USE: 'TRACEPACK_USAGE_COLLECTOR_DATA_DIR_IN_USE',
  /** A migration file is missing, misnamed or failed. */
  MIGRATION_FAILED: 'TRACEPACK_USAGE_COLLECTOR_MIGRATION_FAILED',
} as const;

export type UsageCollectorErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** A setup-time error: the package name, a stable code, and what was expected. */
export class UsageCollectorError extends Error {
  constructor(
    readonly code: UsageCollectorErrorCode,
    message: string,
  ) {
    super(`@tracepack/usage-collector: ${message}`);
    this.name = 'UsageCollectorError';
  }
}

/** Why a request was refused: its HTTP status and the message of the answer's Status body. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 413 | 415 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
