import { TracepackError, type ErrorCode } from '@tracepack/core';
import { maskUrlSecrets } from './redact';

/**
 * The codes of config problems, by short name. They are rows of the one catalogue of
 * @tracepack/core (its README lists every code of every package, with what to do).
 */
export const ConfigErrorCode = {
  /** A key the schema does not know. */
  UNKNOWN_KEY: 'TRACEPACK_CONFIG_UNKNOWN_KEY',
  /** A value of the wrong type (a string where a number belongs, ...). */
  WRONG_TYPE: 'TRACEPACK_CONFIG_WRONG_TYPE',
  /** A value outside the listed allowed values. */
  NOT_ALLOWED: 'TRACEPACK_CONFIG_NOT_ALLOWED',
  /** A number outside its range (ratios: 0..1). */
  OUT_OF_RANGE: 'TRACEPACK_CONFIG_OUT_OF_RANGE',
  /** A malformed http(s) URL. */
  INVALID_URL: 'TRACEPACK_CONFIG_INVALID_URL',
  /** A malformed host:port address. */
  INVALID_ADDRESS: 'TRACEPACK_CONFIG_INVALID_ADDRESS',
  /** Any other schema violation (empty string, duplicate list entry, pattern). */
  INVALID_VALUE: 'TRACEPACK_CONFIG_INVALID_VALUE',
  /** The config file does not exist or cannot be read. */
  FILE_UNREADABLE: 'TRACEPACK_CONFIG_FILE_UNREADABLE',
  /** The config file is not valid YAML or JSON. */
  FILE_SYNTAX: 'TRACEPACK_CONFIG_FILE_SYNTAX',
  /**
   * A command-line flag that is not of the form --tracing.<key>=<value> (a value is missing, or
   * the path names `__proto__`, `constructor` or `prototype`), or `--config` without a file.
   */
  BAD_FLAG: 'TRACEPACK_CONFIG_BAD_FLAG',
  /** The chosen provider's package is not installed. */
  PROVIDER_NOT_INSTALLED: 'TRACEPACK_PROVIDER_NOT_INSTALLED',
} as const satisfies Record<string, ErrorCode>;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** One problem found in the config. */
export interface ConfigIssue {
  code: ConfigErrorCode;
  /** `tracing.provider` */
  path: string;
  /** Where the bad value came from: `config file x.yml`, `environment TRACING_PROVIDER`, `flag --tracing.provider`, `code`. */
  source?: string;
  /** The full sentence, e.g. `tracing.provider: "jeager" is not one of jaeger, zipkin, otlp, console`. */
  message: string;
}

/**
 * Thrown before anything starts; `issues` holds every problem at once. A password inside a URL
 * is masked in every message (`http://user:***@collector:4318`), whatever key it was found in.
 *
 * A {@link TracepackError} (the one shape of @tracepack/core: `code`, `path`, the package name
 * first) that lists several issues: `code` and `path` are those of the first, each line of the
 * message ends with its own code.
 */
export class TracepackConfigError extends TracepackError {
  declare readonly code: ConfigErrorCode;
  readonly issues: readonly ConfigIssue[];

  /** `block`: the config block the message names (SqaConfigError passes `sqa`). */
  constructor(given: readonly ConfigIssue[], block: 'tracing' | 'sqa' = 'tracing') {
    const issues = given.map((i) => ({ ...i, message: maskUrlSecrets(i.message) }));
    const lines = issues.map((i) => `  - ${i.message} [${i.code}]`);
    const head = issues.length === 1 ? `invalid ${block} config` : `invalid ${block} config (${issues.length} errors)`;
    const first = issues[0];
    super(
      first?.code ?? ConfigErrorCode.INVALID_VALUE,
      `@tracepack/config: ${head}:\n${lines.join('\n')}`,
      first ? { path: first.path } : {},
    );
    this.issues = issues;
  }
}
