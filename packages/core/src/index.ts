export { PACKAGE_NAME, PACKAGE_VERSION } from './version';
export { ERROR_CATALOGUE, ERROR_CODES, isErrorCode } from './error-catalogue';
export type { CatalogueEntry, ErrorCode } from './error-catalogue';
export { createError, formatErrorMessage, isTracepackError, TracepackError, TracepackTypeError } from './errors';
export type { CreateErrorOptions, TracepackErrorFields, TracepackErrorOptions } from './errors';
export { defaultRecoveryLine, defaultStartLine, errorKind, ProblemReporter } from './problem-reporter';
export type { FailureDetail, ProblemLevel, ProblemLine, ProblemReporterOptions } from './problem-reporter';
export { defineSupportedVersions, inMajorRange, versionsFor } from './supported-versions';
export type { SupportedVersions } from './supported-versions';
export {
  arrayOf,
  booleanOption,
  checkOption,
  describeValue,
  functionOption,
  numberOption,
  oneOf,
  stringMatching,
  stringOption,
  validateOptions,
} from './options';
export type { OptionRule, OptionsContext } from './options';
