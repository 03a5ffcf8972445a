/**
 * Every error code of every tracepack package, in one table (as fastify's `lib/errors.js` holds
 * all of fastify's). A code is a promise: once published it keeps its meaning, so users can
 * match on it and the README of this package can list it. `test/catalogue.test.ts` fails when a
 * code is missing from the README's table, or listed there without being here.
 *
 * Each entry names the package that owns the code (other packages may throw it too:
 * provider-jaeger re-checks config values in code with config's codes), whether the error is a
 * `TypeError` (see errors.ts for why some are), and the message template. `{name}` placeholders
 * are filled by `createError(code, params)`. Where one code stands for a family of checks (the
 * config validator's categories, an option of the wrong type), the template is
 * `{path} {detail}`: the check writes the sentence, the code stays the same.
 */
export const ERROR_CATALOGUE = {
  // @tracepack/config: one TracepackConfigError lists every issue at once; each has one of these.
  TRACEPACK_CONFIG_UNKNOWN_KEY: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_WRONG_TYPE: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_NOT_ALLOWED: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_OUT_OF_RANGE: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_INVALID_URL: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_INVALID_ADDRESS: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_INVALID_VALUE: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_FILE_UNREADABLE: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_FILE_SYNTAX: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_CONFIG_BAD_FLAG: { package: '@tracepack/config', base: 'Error', message: '{path}: {detail}' },
  TRACEPACK_PROVIDER_NOT_INSTALLED: {
    package: '@tracepack/config',
    base: 'Error',
    message: '{path}: {provider} needs the package {package}, which is not installed: npm install {package}',
  },
  // Instrumentations and exporters: options given in code, checked when they are created.
  TRACEPACK_HTTP_INVALID_OPTION: {
    package: '@tracepack/instrumentation-http',
    base: 'TypeError',
    message: '{path} {detail}',
  },
  TRACEPACK_BCRYPT_INVALID_OPTION: {
    package: '@tracepack/instrumentation-bcrypt',
    base: 'TypeError',
    message: '{path} {detail}',
  },
  TRACEPACK_SQL_INVALID_OPTION: {
    package: '@tracepack/instrumentation-sql',
    base: 'TypeError',
    message: '{path} {detail}',
  },
  TRACEPACK_SQL_UNKNOWN_OPTION: {
    package: '@tracepack/instrumentation-sql',
    base: 'TypeError',
    message: '{path} is not an option; allowed: {allowed}',
  },
  TRACEPACK_CONSOLE_INVALID_OPTION: { package: '@tracepack/node', base: 'TypeError', message: '{path} {detail}' },
  // @tracepack/usage-collector (they are built there, by UsageCollectorError and the report's errors).
  TRACEPACK_USAGE_COLLECTOR_INVALID_OPTION: {
    package: '@tracepack/usage-collector',
    base: 'Error',
    message: '{detail}',
  },
  TRACEPACK_USAGE_COLLECTOR_DATA_DIR_IN_USE: {
    package: '@tracepack/usage-collector',
    base: 'Error',
    message: '{detail}',
  },
  TRACEPACK_USAGE_COLLECTOR_MIGRATION_FAILED: {
    package: '@tracepack/usage-collector',
    base: 'Error',
    message: '{detail}',
  },
  TRACEPACK_USAGE_REPORT_BAD_OPTION: { package: '@tracepack/usage-collector', base: 'Error', message: '{detail}' },
  TRACEPACK_USAGE_REPORT_BAD_RANGE: { package: '@tracepack/usage-collector', base: 'Error', message: '{detail}' },
} as const satisfies Readonly<Record<string, CatalogueEntry>>;

/** One row of the catalogue. */
export interface CatalogueEntry {
  /** The package that defines the code (and whose README section explains it). */
  readonly package: string;
  /** `TypeError` for a value of the wrong type or form given in code; `Error` for the rest. */
  readonly base: 'Error' | 'TypeError';
  /** The message after `<package>: `; `{name}` placeholders are filled from the params. */
  readonly message: string;
}

/** Every stable code: `TRACEPACK_CONFIG_UNKNOWN_KEY`, ... */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** All codes, in the catalogue's order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys(ERROR_CATALOGUE) as ErrorCode[]);

/** Whether `value` is one of the catalogue's codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}
